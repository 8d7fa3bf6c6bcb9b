"""The local sandbox's file system, built from an allow-list with bubblewrap (as Flatpak does).

The job's processes see a root made from nothing but:

- the OS's programs and libraries (/usr and its /bin, /lib links) and the interpreter's prefix, read-only;
- a handful of /etc files the dynamic loader and Python read (no /etc/shadow, no host names beyond lo);
- the *installed* grader package directory alone, read-only at ``/opt/grader/grader`` (never the
  checkout around it: no .git, assignments, reference, rubrics or results), with its packaged data
  folder covered by an empty tmpfs (the job folder carries the data the job may have, without labels);
- the job folder at its own path: read-only, except ``out/`` and ``runtime/``; ``work/`` is a tmpfs;
- private, size-capped tmpfs for every writable place (/tmp, /var/tmp, /dev/shm, /run/lock), a
  private /dev/mqueue, a fresh /proc and a minimal /dev;

in fresh IPC, network (loopback only, up), PID, mount, UTS and (where allowed) cgroup namespaces.
bubblewrap does each of these itself, so no hand-made mount sequence is needed; ``--size`` caps each
tmpfs. As root the sandbox keeps CAP_SETUID/CAP_SETGID only so that ``grader.sandbox.jail`` can drop
to the job's pooled uid on the host (a user namespace would map it back to root outside, so files and
processes would not carry the job's own uid); every capability is gone after that setuid.

    arguments = bwrap_arguments(job_dir, scratch_mb=1024, as_root=True)
    subprocess.Popen([*arguments, sys.executable, "-m", "grader.sandbox.jail", settings])
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the folder that holds grader/__init__.py
PACKAGE_MOUNT = "/opt/grader"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "nsswitch.conf", "localtime", "passwd", "group", "hosts", "mime.types")
PRIVATE_SCRATCH = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")


@functools.lru_cache(maxsize=1)
def available() -> str | None:
    """The bwrap program when it can build a sandbox here (it needs namespaces), else None."""
    program = shutil.which("bwrap")
    if program is None:
        return None
    try:
        probe = subprocess.run(
            [program, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "true"],
            capture_output=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return program if probe.returncode == 0 else None


def interpreter_dirs() -> list[str]:
    """The prefixes that hold the interpreter and its packages (a venv and the Python it was made from)."""
    paths = {sys.prefix, sys.base_prefix, sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    resolved = sorted({os.path.realpath(path) for path in paths if os.path.isdir(path)})
    # Keep only the outermost folders; a folder inside another is bound with it.
    return [path for path in resolved if not any(path != other and path.startswith(other.rstrip("/") + "/") for other in resolved)]


def _system(path: str) -> list[str]:
    if os.path.islink(path):
        return ["--symlink", os.readlink(path), path]
    return ["--ro-bind", path, path] if os.path.isdir(path) else []


def _reachable(path: str) -> list[str]:
    """Folders above a mount point, made traversable: bwrap would make missing ones 0700, root's alone."""
    arguments = []
    for parent in reversed(Path(path).parents[:-1]):
        text = str(parent)
        if not any(text == system or text.startswith(system + "/") for system in SYSTEM_DIRS):
            arguments += ["--perms", "0755", "--dir", text]
    return arguments


def bwrap_arguments(job_dir: Path, scratch_mb: int, as_root: bool) -> list[str]:
    """The bwrap command line (without the program it runs) for one job."""
    program = available()
    if program is None:
        raise RuntimeError("bubblewrap is not usable here")  # callers check available() first
    size = str(scratch_mb * 1024 * 1024)
    job = str(job_dir)
    # --unshare-all would add a user namespace also for root, mapping only root: no setuid to the pooled uid.
    namespaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"] if as_root else ["--unshare-all"]
    arguments = [program, *namespaces, "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "sandbox"]
    for path in SYSTEM_DIRS:
        arguments += _system(path)
    arguments += _reachable("/etc/passwd")
    for name in ETC_FILES:
        arguments += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for path in interpreter_dirs():
        arguments += [*_reachable(path), "--ro-bind", path, path]
    arguments += ["--proc", "/proc", "--dev", "/dev", "--mqueue", "/dev/mqueue"]
    # GPUs stay usable as before (the job's CUDA_VISIBLE_DEVICES picks among them); no other device is there.
    for device in sorted(glob.glob("/dev/nvidia*")):
        arguments += ["--dev-bind-try", device, device]
    # TensorFlow counts the machine's cores from here; nothing else of /sys is visible.
    arguments += [*_reachable("/sys/devices/system/cpu"), "--ro-bind-try", "/sys/devices/system/cpu", "/sys/devices/system/cpu"]
    for path in PRIVATE_SCRATCH:
        arguments += ["--perms", "1777", "--size", size, "--tmpfs", path]
    arguments += [*_reachable(f"{PACKAGE_MOUNT}/grader"), "--ro-bind", str(PACKAGE_DIR), f"{PACKAGE_MOUNT}/grader"]
    data = PACKAGE_DIR / "datasets" / "data"
    if data.is_dir():
        arguments += ["--size", "4096", "--tmpfs", f"{PACKAGE_MOUNT}/grader/datasets/data", "--remount-ro", f"{PACKAGE_MOUNT}/grader/datasets/data"]
    arguments += [*_reachable(job), "--ro-bind", job, job]
    for writable in ("out", "runtime"):
        arguments += ["--bind", f"{job}/{writable}", f"{job}/{writable}"]
    arguments += ["--perms", "1777", "--size", size, "--tmpfs", f"{job}/work"]
    if as_root:
        arguments += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    arguments += ["--chdir", f"{job}/work", "--"]
    return arguments


def environment() -> dict[str, str]:
    """What bwrap starts with: nothing of the grader's environment (tokens, paths) beyond these."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "PYTHONPATH": PACKAGE_MOUNT,
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
        "CUDA_VISIBLE_DEVICES": os.environ.get("CUDA_VISIBLE_DEVICES", ""),
    }
