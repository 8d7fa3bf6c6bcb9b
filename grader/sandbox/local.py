"""The local process sandbox: for laptops, CI machines and hosts without Docker.

Each job runs as a fresh process tree in a root that bubblewrap builds from an allow-list
(``grader.sandbox.bwrap``: the interpreter, the installed grader package, the job folder, private
size-capped tmpfs for every writable place; fresh IPC, network, PID, mount and UTS namespaces), under
a uid leased from a pool (``grader.sandbox.uids``), in its own control group (``grader.sandbox.cgroups``:
memory counted with shared memory, tmpfs and memfd pages, processes, CPU time), with rlimits
(``grader.sandbox.jail``). The wall-clock limit is kept from outside. Killing the group (or the PID
namespace's first process) takes every process in it along, so nothing survives a job.

Where the OS offers less (no bwrap, no namespaces, no writable cgroup: a student's laptop, a
Gradescope container), grading still runs with the best confinement available: ``unshare`` with a
deny-list of hidden paths, then no namespaces at all; memory is then watched as the tree's PSS.
``describe()`` names what applied, and every result carries it.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from grader.sandbox import bwrap
from grader.sandbox.base import Sandbox, SandboxOutcome
from grader.sandbox.cgroups import JobCgroup
from grader.sandbox.uids import UidPool
from grader.settings import Limits

PAGE = os.sysconf("SC_PAGE_SIZE")


@functools.lru_cache(maxsize=1)
def namespace_prefix() -> tuple[str, ...]:
    """The unshare command line that works here, or () when namespaces are not allowed."""
    base = ("unshare", "--net", "--pid", "--mount", "--fork", "--kill-child")
    candidates = [base] if os.geteuid() == 0 else [("unshare", "--user", "--map-root-user", *base[1:])]
    for prefix in candidates:
        try:
            probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return prefix
    return ()


def _tree(root: int) -> list[int]:
    """The pids of root and all its descendants (from /proc; a PID namespace keeps everything below root)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def _resident_mb(pids: list[int]) -> float:
    """Proportional resident memory (PSS) of the tree: forked children share pages, so RSS would count them many times."""
    total_kb = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
                for line in handle:
                    if line.startswith(b"Pss:"):
                        total_kb += int(line.split()[1])
                        break
        except (OSError, IndexError, ValueError):
            try:
                with open(f"/proc/{pid}/statm", "rb") as handle:
                    total_kb += int(handle.read().split()[1]) * PAGE // 1024
            except (OSError, IndexError, ValueError):
                continue
    return total_kb / 1024


def _written_bytes(folder: Path) -> int:
    """Bytes under out/ and out/probes (the only places the runtime writes); deeper trees count as too much."""
    total = 0
    for directory in (folder, folder / "probes"):
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
                    elif entry.is_dir(follow_symlinks=False) and entry.name != "probes":
                        total += 1 << 40
        except OSError:
            continue
    return total


def _kill(root: int, settle_seconds: float = 10.0) -> None:
    """SIGKILL the whole tree, then wait until its processes are really gone (killing is asynchronous)."""
    pids = _tree(root)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + settle_seconds
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids if pid != root):
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return False


@functools.lru_cache(maxsize=1)
def cgroups_available() -> str | None:
    """'cgroup v1' / 'cgroup v2' where a job's group can be made here, else None (then the PSS watchdog)."""
    group = JobCgroup.create(f"grader-probe-{os.getpid()}", memory_mb=64, processes=8)
    if group is None:
        return None
    group.remove()
    return group.describe()


class LocalSandbox(Sandbox):
    """Process sandbox on this machine."""

    name = "local"

    def __init__(self, hide: list[Path] | None = None, poll_seconds: float = 0.25, uids: UidPool | None = None) -> None:
        # Only the fallback without bubblewrap needs the deny-list: the allow-list root never shows these.
        self.hide = [str(path.resolve()) for path in (hide or []) if path.exists()]
        self.poll_seconds = poll_seconds
        self.uids = uids or UidPool()
        self.uids_used: set[int] = set()  # so tests can prove no process of a finished job survives

    @staticmethod
    def confinement() -> str:
        """bwrap (allow-list root), unshare (namespaces, deny-list) or none, the best this OS allows."""
        return "bwrap" if bwrap.available() else "unshare" if namespace_prefix() else "none"

    def describe(self) -> str:
        confinement = self.confinement()
        who = "pooled unprivileged uid" if os.geteuid() == 0 else "user namespace" if confinement != "none" else "the user's own uid"
        group = cgroups_available()
        limits = f"{group} for memory (shared memory included), processes and CPU time" if group else "rlimits and a memory watchdog"
        if confinement == "bwrap":
            return f"local (bubblewrap allow-list root; ipc, network, pid, mount and uts namespaces; {who}; {limits})"
        if confinement == "unshare":
            return f"local (best effort, no bubblewrap: network, PID and mount namespaces, grader paths hidden; {who}; {limits})"
        return f"local (best effort, no namespaces allowed here: {who}; {limits})"

    def prepare(self, job_dir: Path, uid: int | None) -> None:
        """Make the job folder usable by the sandbox uid: it reads everything, writes only work/, out/, runtime/."""
        for sub in ("work", "out", "runtime"):
            (job_dir / sub).mkdir(exist_ok=True)
        os.chmod(job_dir, 0o755)
        for folder, dirs, files in os.walk(job_dir):
            for name in dirs:
                os.chmod(os.path.join(folder, name), 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o644)
        if uid is not None:
            for sub in ("work", "out", "runtime"):
                for folder, _dirs, files in os.walk(job_dir / sub):
                    os.chown(folder, uid, uid)
                    for name in files:
                        os.chown(os.path.join(folder, name), uid, uid)

    def run(self, job_dir: Path, limits: Limits, wall_limit: float) -> SandboxOutcome:
        uid = self.uids.acquire() if os.geteuid() == 0 else None
        group = None
        try:
            if uid is not None:
                self.uids_used.add(uid)
            group = JobCgroup.create(f"grader-job-{uuid.uuid4().hex[:12]}", limits.memory_mb, limits.processes)
            self.prepare(job_dir, uid)
            return self._run(job_dir, limits, wall_limit, uid, group)
        finally:
            # The uid goes back to the pool only once no process and no file of the job carries it.
            if group is not None:
                group.kill()
                group.remove()
            if uid is not None:
                _disown(job_dir)
                self.uids.release(uid)

    def _command(self, job_dir: Path, limits: Limits, wall_limit: float, uid: int | None) -> tuple[list[str], dict[str, str]]:
        confinement = self.confinement()
        settings = {
            "job_dir": str(job_dir),
            "namespaces": confinement == "unshare",
            "hide": self.hide,
            "keep": _interpreter_paths(),
            "uid": uid,
            "processes": limits.processes,
            "file_size_mb": limits.file_size_mb,
            "scratch_mb": limits.scratch_mb,
            "cpu_seconds": int(wall_limit * max(limits.cpus, 1)) + 10,
        }
        jail = [sys.executable, "-m", "grader.sandbox.jail", json.dumps(settings)]
        if confinement == "bwrap":
            return [*bwrap.bwrap_arguments(job_dir, limits.scratch_mb, as_root=uid is not None), *jail], bwrap.environment()
        return [*namespace_prefix(), *jail], {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}

    def _run(self, job_dir: Path, limits: Limits, wall_limit: float, uid: int | None, group: JobCgroup | None) -> SandboxOutcome:
        command, environment = self._command(job_dir, limits, wall_limit, uid)
        if group is not None:
            command = group.enter_command(command)
        log_path = job_dir / "sandbox.log"
        started = time.monotonic()
        status, peak = "exited", 0.0
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=environment)
            try:
                while process.poll() is None:
                    if group is not None:
                        # The kernel's OOM killer acts on the group's limit, which counts memfd/tmpfs/shm pages.
                        peak = max(peak, group.memory_mb())
                        over = group.oom_kills() > 0
                    else:
                        peak = max(peak, _resident_mb(_tree(process.pid)))
                        over = peak > limits.memory_mb
                    if over:
                        status = "oom"
                    elif _written_bytes(job_dir / "out") > 4 * limits.artifact_bytes:
                        status = "crashed"  # out/ is on the host disk: a flood there is stopped, not stored
                    elif time.monotonic() - started > wall_limit:
                        status = "timeout"
                    if status != "exited":
                        _kill(process.pid)
                        break
                    time.sleep(self.poll_seconds)
            finally:
                # Also on KeyboardInterrupt: never leave a student's process tree behind.
                if process.poll() is None:
                    _kill(process.pid)
                if group is not None:
                    group.kill()
                process.wait()
        code = process.returncode
        if status == "exited" and group is not None and group.oom_kills() > 0:
            status = "oom"  # the OOM killer took the kernel between two polls; the runner carried on
        if status == "exited" and code != 0:
            status = "crashed"
        if group is not None:
            peak = max(peak, group.peak_memory_mb() or 0.0)
        return SandboxOutcome(
            status=status,
            exit_code=code if status in ("exited", "crashed") else None,
            wall_s=time.monotonic() - started,
            log_tail=_tail(log_path),
            backend=self.describe(),
            peak_memory_mb=round(peak, 1),
            cpu_s=round(group.cpu_seconds(), 3) if group is not None else None,
        )


def _disown(job_dir: Path) -> None:
    """Give every file the job wrote back to root (links are changed, never followed)."""
    for folder, dirs, files in os.walk(job_dir):
        for name in dirs + files:
            try:
                os.lchown(os.path.join(folder, name), 0, 0)
            except OSError:
                continue


def _interpreter_paths() -> list[str]:
    import site
    import sysconfig

    paths = {sys.prefix, sys.base_prefix, os.path.realpath(sys.executable), str(Path(__file__).resolve().parents[2])}
    paths.update(sysconfig.get_paths().values())
    paths.update(site.getsitepackages())
    return sorted(os.path.realpath(path) for path in paths)


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, os.path.getsize(path) - limit))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
