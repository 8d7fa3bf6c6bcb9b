"""Job folders: removed after each run, and swept when the grader that made them was killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from grader.execution import jobdirs
from tests.conftest import REPO

HOLDER = """
import sys, time
from grader.execution.jobdirs import job_folder
with job_folder("victim-") as folder:
    (folder / "notebook.ipynb").write_text("a student's work")
    print(folder, flush=True)
    time.sleep(600)
"""


def hold_a_job_folder(root) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True, cwd=REPO, env={**os.environ, "GRADER_JOB_ROOT": str(root), "PYTHONPATH": str(REPO)})
    return process, process.stdout.readline().strip()


def test_a_finished_job_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_JOB_ROOT", str(tmp_path))
    with jobdirs.job_folder("tiny-") as folder:
        (folder / "out").mkdir()
        assert folder.parent == tmp_path and oct(folder.stat().st_mode & 0o777) == "0o700"
    assert list(tmp_path.iterdir()) == []


def test_the_folder_of_a_killed_grader_is_swept_and_a_live_one_is_not(tmp_path):
    killed, orphan = hold_a_job_folder(tmp_path)
    alive, running = hold_a_job_folder(tmp_path)
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        assert os.path.isdir(orphan) and os.path.isdir(running)
        removed = jobdirs.sweep(tmp_path)
        assert removed == [os.path.basename(orphan)]
        assert not os.path.exists(orphan) and not os.path.exists(orphan + ".lock")
        assert (tmp_path / os.path.basename(running) / "notebook.ipynb").read_text() == "a student's work"
    finally:
        for process in (alive, killed):
            process.kill()
            process.wait()
            process.stdout.close()


def test_the_first_job_of_a_grader_process_sweeps(tmp_path, monkeypatch):
    killed, orphan = hold_a_job_folder(tmp_path)
    killed.kill()
    killed.wait()
    killed.stdout.close()
    monkeypatch.setenv("GRADER_JOB_ROOT", str(tmp_path))
    monkeypatch.setattr(jobdirs, "_swept", set())
    started = time.monotonic()
    with jobdirs.job_folder("tiny-"):
        assert not os.path.exists(orphan)
    assert time.monotonic() - started < 30
