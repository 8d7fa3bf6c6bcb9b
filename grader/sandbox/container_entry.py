"""First process (PID 1) of a grading container: take the job, run the runner, stop everything, hold still.

The host streams the job folder as a tar on standard input (Docker refuses ``put_archive`` on a
read-only root filesystem, even into a tmpfs); this unpacks it into the ``/job`` tmpfs. When the runner
ends, every other process of the sandbox user is killed, so nothing of the student's still runs (or
rewrites ``out/``) while the host copies ``/job/out`` out of the tmpfs; then ``DONE_MARK`` is printed
and this process sleeps until the host removes the container. A student printing the mark early only
gets their own results collected early.

The host stops a run at its wall-clock limit with ``SIGUSR1`` (a signal needs no new process, unlike an
``exec``, which a fork bomb at the pids limit would refuse): the same stop, then the same mark, so a
timed-out run still hands back the ``out/run.json`` it wrote so far.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tarfile
import time
from typing import Any

DONE_MARK = "GRADER-RUNNER-DONE"
STOP_SIGNAL = signal.SIGUSR1


def stop_everything(*_ignored) -> None:
    """SIGKILL every process this user may signal; the kernel spares PID 1 (this one) by itself."""
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:  # ESRCH: nothing else is left
        pass


def main() -> None:
    # As PID 1 only signals with a handler arrive from inside the container. Python handles SIGINT by
    # default, so a student's `os.kill(1, SIGINT)` would end the grading; these handlers make it a no-op.
    # (Handlers, unlike SIG_IGN, are not inherited across exec: the runner and kernel keep the defaults.)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"):
        signal.signal(getattr(signal, name), lambda *_: None)
    signal.signal(STOP_SIGNAL, stop_everything)
    job = sys.argv[1] if len(sys.argv) > 1 else "/job"
    safe: dict[str, Any] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.11.4
    with tarfile.open(fileobj=sys.stdin.buffer, mode="r|") as archive:
        for member in archive:  # written by the grader; still, only plain files and folders inside the job
            if (member.isreg() or member.isdir()) and not member.name.startswith("/") and ".." not in member.name.split("/"):
                archive.extract(member, job, **safe)
    os.chdir(os.path.join(job, "work"))
    code = subprocess.call([sys.executable, "-m", "grader.execution.runner", job])
    stop_everything()
    sys.stderr.write(f"\n{DONE_MARK} {code}\n")
    sys.stderr.flush()
    while True:  # orphans killed above are re-parented here: reap them so none lingers as a zombie
        try:
            os.wait()
        except ChildProcessError:
            time.sleep(3600)
        except InterruptedError:
            continue


if __name__ == "__main__":
    main()
