"""The uid pool with real lock files and real processes (another grader process, a process of a uid)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.errors import SandboxUnavailable
from grader.sandbox.uids import UidPool

# Far from the sandbox's own range, so parallel test sessions that grade do not disturb these tests.
FIRST = 64100


def test_two_grader_processes_never_share_a_uid(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import sys, time\nfrom pathlib import Path\nfrom grader.sandbox.uids import UidPool\nprint(UidPool({FIRST}, 4, Path({str(tmp_path)!r})).acquire(), flush=True)\ntime.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        held = int(holder.stdout.readline())
        pool = UidPool(FIRST, 4, tmp_path)
        mine = {pool.acquire(), pool.acquire()}
        assert held == FIRST and held not in mine and len(mine) == 2
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    # The other grader is gone, and its lock with it: its uid is free again.
    assert pool.acquire() == FIRST


def test_released_uid_is_leased_again_and_an_exhausted_pool_says_so(tmp_path):
    pool = UidPool(FIRST, 2, tmp_path)
    with pool.lease() as first:
        second = pool.acquire()
        with pytest.raises(SandboxUnavailable, match="no free uid"):
            pool.acquire()
    assert {first, second} == {FIRST, FIRST + 1}
    assert pool.acquire() == first


@pytest.mark.skipif(os.geteuid() != 0, reason="running a process as another uid needs root")
def test_a_uid_with_a_running_process_is_skipped(tmp_path):
    survivor = subprocess.Popen(["setpriv", f"--reuid={FIRST}", f"--regid={FIRST}", "--clear-groups", "sleep", "60"])
    try:
        for _ in range(100):  # until the child has really switched uid
            if os.stat(f"/proc/{survivor.pid}").st_uid == FIRST:
                break
            time.sleep(0.02)
        assert UidPool(FIRST, 3, tmp_path).acquire() == FIRST + 1
    finally:
        survivor.kill()
        survivor.wait()


def test_an_unwritable_lock_folder_falls_back_to_one_all_graders_share(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    pool = UidPool(FIRST, 2, Path("/proc/grader-cannot-be-here"))
    uid = pool.acquire()
    assert pool.lock_dir == tmp_path / "grader-uids" and (pool.lock_dir / str(uid)).exists()
    assert UidPool(FIRST, 2, Path("/proc/grader-cannot-be-here")).acquire() != uid
