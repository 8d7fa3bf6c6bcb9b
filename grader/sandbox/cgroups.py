"""One control group per sandboxed job: memory (shared memory included), processes and CPU time.

A watchdog that sums the processes' memory cannot see pages that no process maps (memfd files,
tmpfs files, SysV segments); the memory controller charges all of them to the group that touched
them, so a limit on the group is a limit on the job. Both layouts are supported:

- cgroup v2: one directory under the unified mount (found in /proc/mounts) whose
  ``cgroup.controllers`` offers ``memory`` and ``pids``;
- cgroup v1: one directory in each of the ``memory``, ``pids`` and ``cpuacct`` hierarchies.

Each group is made below the grader's own group (so a limit set on the grader by its host still
holds) and removed after the job. Usage::

    group = JobCgroup.create("job-1a2b", memory_mb=2048, processes=256)   # None where none can be made
    command = group.enter_command(["bwrap", ...])   # the first process joins before it execs
    group.oom_kills(); group.cpu_seconds(); group.peak_memory_mb()
    group.kill(); group.remove()
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

V1_CONTROLLERS = ("memory", "pids", "cpuacct")
# Joins every group named before "--", then execs the rest: no Python start-up, no preexec_fn in a
# threaded grader, and the job's first process is counted before it can fork.
ENTER_SCRIPT = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'


def _mounts() -> list[tuple[str, str, set[str]]]:
    """(mount point, filesystem type, options) of every cgroup mount."""
    found: list[tuple[str, str, set[str]]] = []
    try:
        lines = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        fields = line.split()
        if len(fields) >= 4 and fields[2] in ("cgroup", "cgroup2"):
            found.append((fields[1].replace("\\040", " "), fields[2], set(fields[3].split(","))))
    return found


def _own_path(controller: str) -> str:
    """This process's group in the v1 hierarchy of ``controller`` ('' = v2), from /proc/self/cgroup."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return "/"
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(",") or (controller == "" and controllers == ""):
            return path
    return "/"


def _parent_dirs() -> tuple[int, dict[str, Path]] | None:
    """(version, {role: parent directory}) of a layout that offers memory, pids and CPU accounting."""
    mounts = _mounts()
    for point, kind, _ in mounts:
        if kind != "cgroup2":
            continue
        parent = Path(point) / _own_path("").lstrip("/")
        try:
            available = set((parent / "cgroup.controllers").read_text().split())
            # Our own group may hold processes (then no child gets controllers): use its parent's view.
            subtree = set((parent / "cgroup.subtree_control").read_text().split())
        except OSError:
            continue
        if {"memory", "pids"} <= available:
            if not {"memory", "pids"} <= subtree:
                try:
                    (parent / "cgroup.subtree_control").write_text("+memory +pids")
                except OSError:
                    continue
            return 2, {"memory": parent, "pids": parent, "cpuacct": parent}
    parents = {}
    for controller in V1_CONTROLLERS:
        for point, kind, options in mounts:
            if kind == "cgroup" and controller in options:
                parents[controller] = Path(point) / _own_path(controller).lstrip("/")
                break
    if len(parents) == len(V1_CONTROLLERS) and all(os.access(path, os.W_OK) for path in parents.values()):
        return 1, parents
    return None


def _read_int(path: Path, default: int = 0) -> int:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return default


def _read_fields(path: Path) -> dict[str, int]:
    try:
        pairs = [line.split() for line in path.read_text().splitlines()]
    except OSError:
        return {}
    return {pair[0]: int(pair[1]) for pair in pairs if len(pair) == 2 and pair[1].lstrip("-").isdigit()}


class JobCgroup:
    """The control group(s) of one job; see the module docstring."""

    def __init__(self, version: int, directories: dict[str, Path]) -> None:
        self.version = version
        self.directories = directories

    @classmethod
    def create(cls, name: str, memory_mb: int, processes: int) -> JobCgroup | None:
        """Make the job's group with its limits, or None where this machine lets us make none."""
        layout = _parent_dirs()
        if layout is None:
            return None
        version, parents = layout
        directories = {role: parent / name for role, parent in parents.items()}
        limit = str(memory_mb * 1024 * 1024)
        try:
            for directory in set(directories.values()):
                directory.mkdir()
            if version == 2:
                group = directories["memory"]
                (group / "memory.max").write_text(limit)
                _write_if_present(group / "memory.swap.max", "0")
                (group / "pids.max").write_text(str(processes))
            else:
                memory = directories["memory"]
                (memory / "memory.limit_in_bytes").write_text(limit)
                _write_if_present(memory / "memory.memsw.limit_in_bytes", limit)  # no escape into swap
                _write_if_present(memory / "memory.swappiness", "0")
                (directories["pids"] / "pids.max").write_text(str(processes))
        except OSError:
            cls(version, directories).remove()
            return None
        return cls(version, directories)

    def describe(self) -> str:
        return f"cgroup v{self.version}"

    def _procs_files(self) -> list[Path]:
        return sorted({directory / "cgroup.procs" for directory in self.directories.values()})

    def enter_command(self, command: list[str]) -> list[str]:
        """``command`` behind a tiny shell that first moves itself into every group of this job."""
        return ["/bin/sh", "-c", ENTER_SCRIPT, "grader-cgroup-enter", *map(str, self._procs_files()), "--", *command]

    def pids(self) -> list[int]:
        found: set[int] = set()
        for procs in self._procs_files():
            try:
                found.update(int(word) for word in procs.read_text().split())
            except (OSError, ValueError):
                continue
        return sorted(found)

    def oom_kills(self) -> int:
        """How many times the kernel's OOM killer struck inside the job (v1: limit hits as a fallback)."""
        memory = self.directories["memory"]
        if self.version == 2:
            return _read_fields(memory / "memory.events").get("oom_kill", 0)
        control = _read_fields(memory / "memory.oom_control")
        if "oom_kill" in control:
            return control["oom_kill"]
        return 1 if control.get("under_oom", 0) else 0

    def memory_mb(self) -> float:
        name = "memory.current" if self.version == 2 else "memory.usage_in_bytes"
        return _read_int(self.directories["memory"] / name) / 2**20

    def peak_memory_mb(self) -> float | None:
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        peak = _read_int(self.directories["memory"] / name, -1)
        return None if peak < 0 else peak / 2**20

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used by every process the job ever had."""
        if self.version == 2:
            return _read_fields(self.directories["cpuacct"] / "cpu.stat").get("usage_usec", 0) / 1e6
        return _read_int(self.directories["cpuacct"] / "cpuacct.usage") / 1e9

    def kill(self, settle_seconds: float = 10.0) -> None:
        """SIGKILL every process of the job (also those that left the sandbox's process tree) and wait for them."""
        kill_file = self.directories["memory"] / "cgroup.kill"
        deadline = time.monotonic() + settle_seconds
        while time.monotonic() < deadline:
            pids = self.pids()
            if not pids:
                return
            if self.version == 2 and kill_file.exists():
                _write_if_present(kill_file, "1")
            else:
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
            time.sleep(0.05)

    def remove(self) -> None:
        """Delete the groups (the kernel refuses while a process is left; kill() first)."""
        for directory in sorted(set(self.directories.values()), reverse=True):
            for _ in range(100):
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # busy for a moment after the last process exited
                    time.sleep(0.05)


def _write_if_present(path: Path, value: str) -> None:
    try:
        path.write_text(value)
    except OSError:
        pass
