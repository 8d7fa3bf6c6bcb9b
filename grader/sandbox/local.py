"""The local process sandbox: for laptops and machines without Docker.

Each job runs as a fresh process tree started through ``unshare`` in new network, PID and mount
namespaces (as root; as a normal user through a user namespace where the OS allows it), under an
unprivileged uid, with rlimits (``grader.sandbox.jail``). From outside, a watchdog sums the resident
memory of the whole tree and kills it past ``Limits.memory_mb`` (rlimits on address space break
TensorFlow, which reserves far more than it uses), and kills it at the wall-clock limit. Killing the
PID namespace's first process takes every process in it along, so nothing survives a job.

What it cannot do as well as Docker: the filesystem outside the hidden paths stays readable, and CPU
is capped as CPU time, not as a share of cores. ``describe()`` says which isolation applied.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

from grader.sandbox.base import Sandbox, SandboxOutcome
from grader.settings import Limits

PAGE = os.sysconf("SC_PAGE_SIZE")
UID_BASE = 61000  # unprivileged uids 61000-61999, one per job, so per-uid process limits are per job


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


class LocalSandbox(Sandbox):
    """Process sandbox on this machine."""

    name = "local"

    def __init__(self, hide: list[Path] | None = None, poll_seconds: float = 0.25) -> None:
        self.hide = [str(path.resolve()) for path in (hide or []) if path.exists()]
        self.poll_seconds = poll_seconds
        self.uids_used: set[int] = set()  # so tests can prove no process of a finished job survives

    def describe(self) -> str:
        prefix = namespace_prefix()
        if not prefix:
            who = "unprivileged uid, " if os.geteuid() == 0 else ""
            return f"local (no namespaces allowed here: {who}rlimits and memory watchdog only)"
        who = "unprivileged uid" if os.geteuid() == 0 else "user namespace"
        return f"local (network, PID and mount namespaces; {who}; rlimits; memory watchdog)"

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
                for folder, dirs, files in os.walk(job_dir / sub):
                    os.chown(folder, uid, uid)
                    for name in files:
                        os.chown(os.path.join(folder, name), uid, uid)

    def run(self, job_dir: Path, limits: Limits, wall_limit: float) -> SandboxOutcome:
        prefix = namespace_prefix()
        uid = UID_BASE + zlib.crc32(str(job_dir).encode()) % 1000 if os.geteuid() == 0 else None
        self.prepare(job_dir, uid)
        if uid is not None:
            self.uids_used.add(uid)
        settings = {
            "job_dir": str(job_dir),
            "namespaces": bool(prefix),
            "hide": self.hide,
            "keep": _interpreter_paths(),
            "uid": uid,
            "processes": limits.processes,
            "file_size_mb": limits.file_size_mb,
            "scratch_mb": limits.scratch_mb,
            "cpu_seconds": int(wall_limit * max(limits.cpus, 1)) + 10,
        }
        log_path = job_dir / "sandbox.log"
        started = time.monotonic()
        status, peak = "exited", 0.0
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [*prefix, sys.executable, "-m", "grader.sandbox.jail", json.dumps(settings)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
            )
            try:
                while process.poll() is None:
                    peak = max(peak, _resident_mb(_tree(process.pid)))
                    if peak > limits.memory_mb:
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
                process.wait()
        code = process.returncode
        if status == "exited" and code != 0:
            status = "crashed"
        return SandboxOutcome(
            status=status,
            exit_code=code if status in ("exited", "crashed") else None,
            wall_s=time.monotonic() - started,
            log_tail=_tail(log_path),
            backend=self.describe(),
            peak_memory_mb=round(peak, 1),
        )


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
