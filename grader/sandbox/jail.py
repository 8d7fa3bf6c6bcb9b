"""Confinement applied *inside* the local sandbox, then exec of the runner.

Started by ``LocalSandbox`` inside the allow-list root that bubblewrap built
(``grader.sandbox.bwrap``), it only does steps 3-5 below. Where bubblewrap is missing it is the
first process of fresh network, PID and mount namespaces (``unshare``, a best-effort fallback that
hides a deny-list), and then it also:

1. brings up loopback (the kernel talks to the runner over it; nothing else is reachable),
2. mounts a private /proc, a size-capped /tmp, and empty tmpfs over the grader-held paths it is given
   (rubric staff code, evaluation labels, other students' submissions, results),

and in every case it:

3. sets rlimits (processes, file size, CPU time, no core dumps) and no-new-privileges,
4. drops to an unprivileged uid when it is root,
5. runs the runner (``grader.execution.runner``) in this same process: one interpreter per job.

    python -m grader.sandbox.jail SETTINGS_JSON
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import resource
import socket
import struct
import subprocess
import sys
from pathlib import Path

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
PR_SET_NO_NEW_PRIVS = 38


def loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))


def mount(*arguments: str) -> None:
    subprocess.run(["mount", *arguments], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def mask_keeping(top: str, options: str, paths: list[str]) -> None:
    """Put a fresh tmpfs over ``top`` (/tmp, /root) but keep the folders the interpreter needs below it.

    Python and the grader may live under /root (not traversable by the sandbox uid) or under /tmp (a
    checkout there, as CI may make). Inside our private mount namespace: bind the needed folders aside,
    mount the tmpfs, and move the binds back, so the sandbox reaches exactly those folders.
    """
    prefix = top.rstrip("/") + "/"
    needed = sorted({prefix + os.path.relpath(path, top).split(os.sep)[0] for path in paths if path.startswith(prefix)})
    if needed:
        mount("-t", "tmpfs", "-o", "size=1m,mode=755", "tmpfs", "/mnt")
        for index, path in enumerate(needed):
            os.mkdir(f"/mnt/{index}")
            mount("--rbind", path, f"/mnt/{index}")
    mount("-t", "tmpfs", "-o", options, "tmpfs", top)
    for index, path in enumerate(needed):
        os.mkdir(path)
        mount("--move", f"/mnt/{index}", path)


def main() -> None:
    settings = json.loads(sys.argv[1])
    job_dir = settings["job_dir"]
    if settings.get("namespaces"):
        loopback_up()
        mount("--make-rprivate", "/")
        mount("-t", "proc", "proc", "/proc")
        mask_keeping("/tmp", f"size={settings['scratch_mb']}m,mode=1777", settings.get("keep", []))
        # The student's working folder is a size-capped tmpfs too: a disk filler must not reach the host disk.
        owner = settings.get("uid") if settings.get("uid") is not None else os.getuid()
        mount("-t", "tmpfs", "-o", f"size={settings['scratch_mb']}m,uid={owner},gid={owner},mode=755", "tmpfs", os.path.join(job_dir, "work"))
        if settings.get("uid") is not None:
            mask_keeping("/root", "size=1m,mode=711", settings.get("keep", []))
        for hidden in settings.get("hide", []):
            if os.path.isdir(hidden):
                mount("-t", "tmpfs", "-o", "size=1m,mode=755", "tmpfs", hidden)
            elif os.path.isfile(hidden):  # e.g. the LMS download zip holding every student's notebook
                mount("--bind", "/dev/null", hidden)
    limits = [
        (resource.RLIMIT_NPROC, settings["processes"]),
        (resource.RLIMIT_FSIZE, settings["file_size_mb"] * 1024 * 1024),
        (resource.RLIMIT_CPU, settings["cpu_seconds"]),
        (resource.RLIMIT_CORE, 0),
    ]
    for which, value in limits:
        resource.setrlimit(which, (value, value))
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    uid = settings.get("uid")
    if uid is not None and os.getuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    work = os.path.join(job_dir, "work")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": work,
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "GRADER_DATA_DIR": os.path.join(job_dir, "data"),
        "GRADER_SANDBOX": "1",
        "JUPYTER_RUNTIME_DIR": os.path.join(job_dir, "runtime"),
        "IPYTHONDIR": os.path.join(job_dir, "runtime", "ipython"),
        "MPLCONFIGDIR": os.path.join(job_dir, "runtime", "mpl"),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "CUDA_VISIBLE_DEVICES": os.environ.get("CUDA_VISIBLE_DEVICES", ""),
    }
    os.chdir(work)
    os.environ.clear()
    os.environ.update(env)
    # The runner in this same process, not a new interpreter: one process per job, its start-up paid once.
    from grader.execution import runner

    runner.run_job(Path(job_dir))


if __name__ == "__main__":
    main()
