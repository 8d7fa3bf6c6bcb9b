"""Unprivileged uids handed out from a pool, one per running job, never two jobs at once.

A uid taken from a hash of the job folder can repeat between two jobs of one batch, and then one
student's processes may signal the other's and read their files. Here a uid is taken only when

- its lock file is free (``flock`` on ``LOCK_DIR/<uid>``: two grader processes on one machine see
  each other's locks, and a crashed grader's lock goes with it),
- no process runs under it, and
- no file owned by it is left where jobs can write on the host (/tmp, /var/tmp, /dev/shm).

The lock is held until the caller releases the uid, which it does only after the job's processes
are gone and the job folder's files are given back to root.

    with UidPool().lease() as uid:
        ...run the job as uid...
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from grader.errors import SandboxUnavailable

UID_FIRST, UID_COUNT = 61000, 1000
LOCK_DIR = Path("/run/lock/grader-uids")
SHARED_SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")


def _uids_running() -> set[int]:
    uids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                uids.add(os.stat(f"/proc/{entry}").st_uid)
            except OSError:
                continue
    return uids


def _uids_owning_files() -> set[int]:
    """Owners of the top-level entries of the host's shared scratch folders (one scandir each: cheap)."""
    owners = set()
    for folder in SHARED_SCRATCH:
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        owners.add(entry.stat(follow_symlinks=False).st_uid)
                    except OSError:
                        continue
        except OSError:
            continue
    return owners


class UidPool:
    """Free uids in ``[first, first + count)``, leased under a lock file each."""

    def __init__(self, first: int = UID_FIRST, count: int = UID_COUNT, lock_dir: Path = LOCK_DIR) -> None:
        self.first, self.count, self.lock_dir = first, count, lock_dir
        self.held: dict[int, int] = {}  # uid -> descriptor of its lock file

    def acquire(self) -> int:
        """A uid no process uses, no file left on the host belongs to, and no other job holds."""
        import fcntl  # POSIX only; only root on Linux leases uids, and this module must import everywhere

        try:
            self.lock_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError:  # a read-only /run (some containers): every grader here then agrees on this one
            self.lock_dir = Path(tempfile.gettempdir()) / "grader-uids"
            self.lock_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        busy = _uids_running() | _uids_owning_files()
        for uid in range(self.first, self.first + self.count):
            if uid in busy or uid in self.held:
                continue
            descriptor = os.open(self.lock_dir / str(uid), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                continue
            # Checked again under the lock: a job that released it a moment ago may have left a process.
            if uid in _uids_running():
                os.close(descriptor)
                continue
            self.held[uid] = descriptor
            return uid
        raise SandboxUnavailable(f"no free uid in {self.first}-{self.first + self.count - 1} for the sandbox")

    def release(self, uid: int) -> None:
        descriptor = self.held.pop(uid, None)
        if descriptor is not None:
            os.close(descriptor)  # closing drops the flock

    @contextlib.contextmanager
    def lease(self) -> Iterator[int]:
        uid = self.acquire()
        try:
            yield uid
        finally:
            self.release(uid)
