"""Job folders on the host (or a Dask worker): made fresh for each run, removed after it, swept when orphaned.

A grader killed mid-batch (Ctrl-C twice, kill -9, a Dask worker lost) cannot remove the job folder it
was using, and each one holds a student's notebook and the probe data. So each folder has a lock file
beside it (not inside: the sandbox sees the folder), held with ``flock`` for as long as its grader uses
it; the kernel drops the lock when that process dies. Every grader process, on its first job, removes
the folders whose lock nobody holds.

    with job_folder("pw06-mlp-") as job_dir:
        ...

``GRADER_KEEP_JOBS=1`` keeps the folders (for debugging the grader); they are then never swept.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

LOCK_SUFFIX = ".lock"
_swept: set[Path] = set()
_sweep_lock = threading.Lock()


def job_root() -> Path:
    # Not under /tmp: the sandbox mounts its own /tmp. Not under the results: those are hidden from it.
    root = Path(os.environ.get("GRADER_JOB_ROOT", f"/var/tmp/grader-jobs-{os.getuid()}"))
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o711)
    return root


def sweep(root: Path) -> list[str]:
    """Remove the job folders under ``root`` whose grader is gone (their lock is free); return their names."""
    removed = []
    for lock_path in root.glob(f"*{LOCK_SUFFIX}"):
        try:
            descriptor = os.open(lock_path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue  # a running grader's job
        try:
            folder = lock_path.with_name(lock_path.name.removesuffix(LOCK_SUFFIX))
            shutil.rmtree(folder, ignore_errors=True)
            lock_path.unlink(missing_ok=True)
            removed.append(folder.name)
        finally:
            os.close(descriptor)
    return removed


@contextlib.contextmanager
def job_folder(prefix: str) -> Iterator[Path]:
    """A fresh, empty job folder under ``job_root()``, removed afterwards (kept with GRADER_KEEP_JOBS)."""
    root = job_root()
    with _sweep_lock:
        if root not in _swept:
            _swept.add(root)
            sweep(root)
    # The lock exists and is held before the folder does: a sweeping grader never takes a live folder.
    descriptor, lock_name = tempfile.mkstemp(prefix=prefix, suffix=LOCK_SUFFIX, dir=root)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    job_dir = root / Path(lock_name).name.removesuffix(LOCK_SUFFIX)
    try:
        job_dir.mkdir(mode=0o700)
        yield job_dir
    finally:
        if not os.environ.get("GRADER_KEEP_JOBS"):
            shutil.rmtree(job_dir, ignore_errors=True)
        os.unlink(lock_name)
        os.close(descriptor)
