"""The sandbox's walls, attacked from inside, for every backend (issue 14, items 1-3).

Each attack is a notebook in tests/notebooks/adversarial (written by make.py there) with no solution
of its own: if it saw what it looks for, it would run the code it found and earn points. So each test
checks two things: the run-based points stay 0, and the notebook's own account of what it saw is empty.
"""

from __future__ import annotations

import ast
import concurrent.futures
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from grader.pipeline import Submission, grade_submission
from tests.conftest import GOOD_CELLS, NOTEBOOKS, by_id, tiny_reference, write_notebook

RUN_CHECKS = ("double-values", "double-reference", "greeting")
LEFTOVER_NAME = "grader-leftover-code.py"
LEFTOVER_SEGMENT_KEY = 0x67726164
HOST_SCRATCH = ("/dev/shm", "/var/tmp", "/tmp")


def grade(name: str, assignment, sandbox):
    path = NOTEBOOKS / "adversarial" / f"{name}.ipynb"
    return grade_submission(Submission(name, path), assignment, sandbox, reference=tiny_reference(assignment))


def reported(data, prefix: str):
    text = data["greeting"].values.get("text", f"no text: {data['greeting']!r}")
    assert text.startswith(prefix), text
    return ast.literal_eval(text.removeprefix(prefix))  # plain lists/dicts written by our own fixture


@pytest.fixture
def planted_course(tiny_course):
    """The course as a TA's machine holds it, where a sandbox that only hides a deny-list shows it:
    a git checkout under /var/tmp with the reference, a sample solution, the judges, and a previous
    batch's results (the tiny course's own folders stay hidden as today; this is the copy an attacker finds)."""
    root = Path(tempfile.mkdtemp(dir="/var/tmp", prefix="grader-test-course-"))
    shutil.copytree(tiny_course / "rubrics", root / "rubrics")
    write_notebook(root / "reference" / "tiny" / "tiny.ipynb", GOOD_CELLS)
    write_notebook(root / "assignments" / "tiny" / "samples" / "full_marks.ipynb", GOOD_CELLS)
    (root / "results" / "previous").mkdir(parents=True)
    (root / "results" / "previous" / "grades.csv").write_text("student,score\nclassmate,9\n")
    git = ["git", "-c", "user.name=ta", "-c", "user.email=ta@example.org", "-C", str(root)]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "course"]):
        subprocess.run([*git, *command], check=True, capture_output=True)
    # What a TA deletes before grading stays in .git: the reference is only in the history now.
    shutil.rmtree(root / "reference")
    os.chmod(root, 0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_course_files_stay_out_of_reach(backend, tiny, planted_course):
    result, data = grade("steal_course_files", tiny, backend)
    checks = by_id(result)
    for check_id in RUN_CHECKS:
        assert checks[check_id].points_awarded == 0, (check_id, checks[check_id].reason)
    # It looked for the checkout around the installed package, its .git (git show, objects), samples,
    # references, results folders, judges, the packaged test labels and other jobs' folders: none visible.
    assert reported(data, "found ") == []


def test_another_jobs_files_are_out_of_reach(backend, tiny):
    """-j 2: the second student has no code and looks where the first one left theirs, while it runs."""
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        writer = pool.submit(grade, "other_job_writer", tiny, backend)
        reader = pool.submit(grade, "other_job_reader", tiny, backend)
        (writer_result, writer_data), (reader_result, reader_data) = writer.result(), reader.result()
    assert by_id(writer_result)["greeting"].points_awarded > 0  # the writer really ran and wrote
    checks = by_id(reader_result)
    for check_id in RUN_CHECKS:
        assert checks[check_id].points_awarded == 0, (check_id, checks[check_id].reason)
    seen = reported(reader_data, "found ")
    assert seen["files"] == []
    if backend.name == "local" and os.geteuid() == 0:
        # Two jobs at once never share a uid (a shared uid could signal and read the other's processes).
        assert reported(writer_data, "hello ")[0] != seen["uid"]
    for folder in HOST_SCRATCH:
        assert not Path(folder, "shared-solution.py").exists()


def _segment_keys() -> set[int]:
    try:
        lines = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    except OSError:
        return set()
    return {int(line.split()[0]) for line in lines if line.split()}


def test_nothing_is_left_on_the_host(backend, tiny):
    for folder in HOST_SCRATCH:  # a previous, failing run of this test may have left them
        Path(folder, LEFTOVER_NAME).unlink(missing_ok=True)
    result, data = grade("leave_files_behind", tiny, backend)
    assert by_id(result)["greeting"].points_awarded > 0, by_id(result)["greeting"].reason
    seen = reported(data, "hello ")
    # Inside, the writes and the segment succeeded (private scratch; Docker's /var/tmp is read-only)...
    assert seen.count("wrote") >= 2 and "segment" in seen, seen
    # ...and none of it is on the host after the job.
    for folder in HOST_SCRATCH:
        assert not Path(folder, LEFTOVER_NAME).exists(), folder
    assert LEFTOVER_SEGMENT_KEY not in _segment_keys()
