"""First process of a grading container: wait for the job, run the runner, then hold still.

The host streams the job folder as a tar on standard input (Docker refuses ``put_archive`` on a
read-only root filesystem, even into a tmpfs); this unpacks it into the ``/job`` tmpfs. When the runner ends this prints
``DONE_MARK`` and sleeps, so the host can copy ``/job/out`` out of the tmpfs before removing the
container. A student printing the mark early only gets their own results collected early.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import time

DONE_MARK = "GRADER-RUNNER-DONE"


def main() -> None:
    job = sys.argv[1] if len(sys.argv) > 1 else "/job"
    with tarfile.open(fileobj=sys.stdin.buffer, mode="r|") as archive:
        for member in archive:  # written by the grader; still, only plain files and folders inside the job
            if (member.isreg() or member.isdir()) and not member.name.startswith("/") and ".." not in member.name.split("/"):
                archive.extract(member, job)
    os.chdir(os.path.join(job, "work"))
    code = subprocess.call([sys.executable, "-m", "grader.execution.runner", job])
    sys.stderr.write(f"\n{DONE_MARK} {code}\n")
    sys.stderr.flush()
    time.sleep(3600)


if __name__ == "__main__":
    main()
