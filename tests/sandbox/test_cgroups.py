"""A job's control group with real processes: what it counts, what it stops, and that it goes away."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from grader.sandbox.cgroups import JobCgroup
from grader.sandbox.local import cgroups_available
from tests.conftest import GOOD_CELLS, grade_cells

pytestmark = pytest.mark.skipif(cgroups_available() is None, reason="no cgroup can be made here (not root, or a read-only /sys/fs/cgroup)")

# Holds memory that no process maps: a memfd written, never mmapped, in 4 MB writes.
MEMFD_HOARD = "import os\nfd = os.memfd_create('hoard')\nfor _ in range({chunks}):\n    os.write(fd, b'x' * 4 * 1024 * 1024)\nprint('survived', flush=True)"


def run_in_group(group: JobCgroup, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(group.enter_command([sys.executable, "-c", code]), capture_output=True, text=True, timeout=120, check=False)


def test_memfd_pages_count_against_the_limit_and_the_group_goes_away():
    group = JobCgroup.create(f"grader-test-{uuid.uuid4().hex[:8]}", memory_mb=128, processes=16)
    assert group is not None
    try:
        small = run_in_group(group, MEMFD_HOARD.format(chunks=4))  # 16 MB: well under the limit
        assert small.returncode == 0 and "survived" in small.stdout
        assert group.oom_kills() == 0
        hoard = run_in_group(group, MEMFD_HOARD.format(chunks=64))  # 256 MB: twice the limit
        assert hoard.returncode == -9 and "survived" not in hoard.stdout
        assert group.oom_kills() > 0
        assert group.cpu_seconds() > 0
    finally:
        group.kill()
        group.remove()
    assert not any(directory.exists() for directory in group.directories.values())


def test_process_limit_holds_for_the_whole_group():
    group = JobCgroup.create(f"grader-test-{uuid.uuid4().hex[:8]}", memory_mb=256, processes=8)
    assert group is not None
    try:
        forks = "import os, time\nmade = 0\nfor _ in range(40):\n    try:\n        if os.fork() == 0:\n            os.close(1); os.close(2); time.sleep(30); os._exit(0)\n        made += 1\n    except OSError:\n        break\nprint(made, flush=True)\nos._exit(0)"
        done = run_in_group(group, forks)
        assert int(done.stdout.split()[0]) < 8  # the group's own first process counts too
        assert group.pids()  # the sleeping children are still in the group...
        group.kill()
        assert group.pids() == []  # ...until the job's end kills them all, wherever they were reparented
    finally:
        group.kill()
        group.remove()


def test_cpu_time_is_measured_per_job(tmp_path, tiny, local_sandbox):
    idle = grade_cells(tmp_path / "idle", tiny, local_sandbox, GOOD_CELLS)
    busy = grade_cells(tmp_path / "busy", tiny, local_sandbox, ["total = 0\nfor step in range(3 * 10 ** 7):\n    total += step", *GOOD_CELLS])
    # A ratio, not seconds: the busy job burnt clearly more CPU than the same job without its loop.
    assert busy.run.timings["sandbox_cpu"] > 1.3 * idle.run.timings["sandbox_cpu"] > 0
