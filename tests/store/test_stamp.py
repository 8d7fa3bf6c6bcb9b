"""An unchanged re-grade answers from the batch's stamp, and any change to what decided it goes the long way.

Real runs of the CLI in a child process (real kernels, real gradebook); "the long way" is told apart by
``-X importtime``: only it imports ``grader.api``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.store import stamp
from tests.conftest import GOOD_CELLS, REPO, write_notebook

WRONG = [("def double(x):\n    return 3 * x", ["ex1"]), ("def greeting():\n    return 'Hi'", ["ex2"])]


@pytest.fixture
def batch(tiny_course: Path, tmp_path: Path):
    subs = tmp_path / "subs"
    write_notebook(subs / "alice.ipynb", GOOD_CELLS)
    write_notebook(subs / "bob.ipynb", WRONG)
    out = tmp_path / "out"

    def grade(*extra: str, env: dict | None = None) -> tuple[str, bool]:
        """(stdout, whether it went the long way)."""
        command = [sys.executable, "-X", "importtime", "-m", "grader", "--course", str(tiny_course), "grade", str(subs), "-a", "tiny", "--out", str(out), *extra]
        done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})}, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
        if "grader.api" not in imported:  # a replay: the standard library and the stamp, nothing of the host side
            assert not imported & {"numpy", "pydantic", "yaml", "nbformat", "sqlite3", "grader.rubric", "grader.results"}, imported
        return done.stdout, "grader.api" in imported

    return grade, subs, out, tiny_course


def summary_line(stdout: str) -> str:
    return stdout.strip().splitlines()[-1].split(".")[0]


def test_unchanged_regrade_replays_what_the_long_way_prints(batch):
    grade, _, _, _ = batch
    first, long_way = grade()
    assert long_way and summary_line(first) == "2 graded"
    replayed, long_way = grade()
    assert not long_way, "an unchanged re-grade imported the grader's host side"
    # Another GRADER_ variable is another command: it takes the long way, which must print the same.
    again, long_way = grade(env={"GRADER_UNUSED": "1"})
    assert long_way and again == replayed
    assert summary_line(replayed) == "0 graded, 2 unchanged and kept"
    assert "Sandbox: none started (every result is current)" in replayed and "alice" in replayed and "bob" in replayed


def test_every_change_to_what_decided_the_batch_goes_the_long_way(batch):
    grade, subs, out, course = batch
    grade()

    write_notebook(subs / "bob.ipynb", GOOD_CELLS)  # a student resubmits
    stdout, long_way = grade()
    assert long_way and summary_line(stdout) == "1 graded, 1 unchanged and kept"
    assert not grade()[1]

    write_notebook(subs / "carol" / "tiny.ipynb", GOOD_CELLS)  # a new student, in a folder of her own
    stdout, long_way = grade()
    assert long_way and summary_line(stdout) == "1 graded, 2 unchanged and kept"

    judges = course / "rubrics" / "tiny" / "judges.py"
    judges.write_text(judges.read_text() + "\n# staff edit\n")  # the rubric changed: everyone again
    stdout, long_way = grade()
    assert long_way and summary_line(stdout) == "3 graded"

    (out / "tiny" / "index.html").unlink()  # an output gone: the long way writes it again
    stdout, long_way = grade()
    assert long_way and summary_line(stdout) == "0 graded, 3 unchanged and kept" and (out / "tiny" / "index.html").exists()

    os.utime(out / "gradebook.sqlite")  # the gradebook written since (a manual import): tables come from it again
    assert grade()[1]
    assert not grade()[1]

    stdout, long_way = grade("--force")  # --force always grades, and never leaves a stamp to replay
    assert long_way and summary_line(stdout) == "3 graded"
    assert grade("--force")[1]


def test_a_batch_with_a_result_that_is_not_final_leaves_no_stamp(batch):
    grade, subs, _, _ = batch
    (subs / "dave").mkdir()  # a student folder without a notebook: recorded, never current
    stdout, _ = grade()
    assert summary_line(stdout) == "3 graded"
    assert grade()[1]


def test_a_damaged_or_foreign_stamp_is_ignored(batch, tmp_path):
    grade, _, _, _ = batch
    grade()
    (written,) = (stamp.stamp_file("x").parent).glob("*.json")
    for damage in ["{", "[]", json.dumps({"format": stamp.FORMAT}), json.dumps({"format": stamp.FORMAT + 1, "inputs": {}, "folders": {}, "outputs": {}, "text": "forged"})]:
        written.write_text(damage)
        stdout, long_way = grade()
        assert long_way and "forged" not in stdout
    assert not grade()[1]


def test_a_nearer_rubrics_folder_is_another_course(tiny_course, tmp_path):
    """Without --course the course is found from the working folder up: a rubrics/ folder appearing nearer picks another."""
    work = tiny_course / "term"
    write_notebook(work / "subs" / "alice.ipynb", GOOD_CELLS)
    command = [sys.executable, "-m", "grader", "grade", "subs", "-a", "tiny", "--out", str(tmp_path / "out")]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("GRADER_COURSE", None)
    for _ in range(2):  # the second run replays
        assert subprocess.run(command, cwd=work, env=env, capture_output=True, timeout=300).returncode == 0
    (work / "rubrics").mkdir()
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and f"{Path('rubrics') / 'tiny.yaml'}: no rubric for assignment 'tiny'" in done.stderr
