"""Time budgets count CPU seconds, so a busy machine decides no points (issue 12, item 6): real kernels, a real
CPU hog at 4x the machine's cores, the same verdicts as on an idle machine."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from grader.execution.cputime import tree_cpu_seconds
from grader.reports import render_markdown
from grader.results import CellStatus, CheckStatus
from grader.rubric import load_assignment
from tests.conftest import GOOD_CELLS, by_id, grade_cells, make_tiny_course, write_notebook

BUDGETS = "timeouts: {cell: 3, notebook: 30, probe: 10, grace: 10, wall_factor: 12}"
CELL_BUDGET = 3
BURN = 1.0  # CPU seconds the honest cell burns: a third of its budget, several times its wall time under the hog
HONEST = (
    f"import time\nstart = time.process_time()\nwhile time.process_time() - start < {BURN}:\n    pass\n\ndef double(x):\n    return 2 * x",
    ["ex1"],
)
ENDLESS = ("total = 0\nwhile True:\n    total += 1", ["ex3"])


def budget_course(root, budgets: str = BUDGETS):
    course = make_tiny_course(root / "budgets")
    rubric = course / "rubrics" / "tiny.yaml"
    rubric.write_text(rubric.read_text().replace("timeouts: {cell: 4, notebook: 30, probe: 10, grace: 10}", budgets))
    return course


def sandbox_for(course):
    from grader.sandbox.local import LocalSandbox

    return LocalSandbox(hide=[course / "rubrics", course / "reference"])


def start_hog(seconds: float) -> list[subprocess.Popen]:
    """4 busy processes per core, each ending by itself after ``seconds`` (and killed by the caller's finally)."""
    burn = f"import time\nend = time.time() + {seconds}\nwhile time.time() < end:\n    pass"
    # Each in its own session: with the kernel's autogroup scheduling, CPU is shared between sessions first, and
    # the sandbox runs in a session of its own, so a hog in one session would only ever take half the machine.
    return [subprocess.Popen([sys.executable, "-c", burn], start_new_session=True) for _ in range(4 * (os.cpu_count() or 1))]


def stop_hog(hog: list[subprocess.Popen]) -> None:
    for process in hog:
        process.kill()
    for process in hog:
        process.wait()


def outcome(result):
    cells = [(cell.index, cell.status) for cell in result.run.cells]
    return cells, {check.check_id: (check.status, check.points_awarded) for check in result.checks}


def test_cpu_time_of_a_process_tree_counts_children_and_ignores_waiting():
    # The child burns 5 CPU-seconds, so it is still running (not a zombie its sleeping parent never reaps)
    # while the test watches its time grow, however loaded the machine is.
    child = "import time\nstart = time.process_time()\nwhile time.process_time() - start < 5:\n    pass"
    parent = subprocess.Popen([sys.executable, "-c", f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', {child!r}])\ntime.sleep(30)"])
    try:
        time.sleep(0.3)
        first = tree_cpu_seconds(parent.pid)
        deadline = time.monotonic() + 30
        while tree_cpu_seconds(parent.pid) - first < 0.4 and time.monotonic() < deadline:
            time.sleep(0.1)  # the sleeping parent adds next to nothing
        assert tree_cpu_seconds(parent.pid) - first >= 0.4
    finally:
        parent.kill()
        parent.wait()
    assert tree_cpu_seconds(parent.pid) == 0.0  # gone: nothing to count


def test_a_loaded_machine_gets_the_same_verdicts_as_an_idle_one(tmp_path):
    course = budget_course(tmp_path)
    assignment, local_sandbox = load_assignment("tiny", course), sandbox_for(course)
    cells = [HONEST, GOOD_CELLS[1], ENDLESS]
    idle = grade_cells(tmp_path / "idle", assignment, local_sandbox, cells)
    hog = start_hog(240)
    try:
        loaded = grade_cells(tmp_path / "loaded", assignment, local_sandbox, cells)
    finally:
        stop_hog(hog)
    assert outcome(loaded) == outcome(idle)
    assert [c.status for c in idle.run.cells] == [CellStatus.ok, CellStatus.ok, CellStatus.timeout]
    assert by_id(loaded)["double-values"].status == CheckStatus.passed
    honest = loaded.run.cells[0]
    # The hog really competed (ratios, never absolute times): the honest cell's wall time per CPU second is past
    # the budget's 3 to the cell's 1, so a 3-second wall-clock budget, the old rule, would have cut it off.
    assert honest.duration_s / honest.cpu_s > CELL_BUDGET / BURN
    for result in (idle, loaded):
        endless = result.run.cells[2]
        assert "budget of 3 CPU seconds" in endless.error and endless.cpu_s >= 3
        assert "used more than its budget of 3 CPU seconds" in render_markdown(result, "Tiny")


def test_a_cell_that_waits_without_computing_hits_the_wall_clock_cap(tmp_path):
    course = budget_course(tmp_path, "timeouts: {cell: 1, notebook: 30, probe: 10, grace: 10, wall_factor: 3}")
    assignment, local_sandbox = load_assignment("tiny", course), sandbox_for(course)
    result = grade_cells(tmp_path, assignment, local_sandbox, [GOOD_CELLS[0], "import time\ntime.sleep(600)", GOOD_CELLS[1]])
    waiting = result.run.cells[1]
    assert waiting.status == CellStatus.timeout and "3 s of wall-clock time, its cap" in waiting.error and waiting.cpu_s < 1
    assert by_id(result)["greeting"].status == CheckStatus.passed


@pytest.mark.parametrize(
    ("late_cell", "rerun", "why"),
    [
        # A wall-clock cap can be the machine's doing: the notebook runs again, alone, before the result counts.
        ("import time\ntime.sleep(600)", True, "wall-clock time, its cap"),
        # A spent CPU budget is the same alone: running it again would only cost the batch its time again.
        ("while True:\n    pass", False, "budget of 1 CPU seconds"),
    ],
    ids=["wall-clock-cap", "cpu-budget"],
)
def test_a_timeout_in_a_batch_is_re_run_alone_only_when_load_could_have_caused_it(tmp_path, late_cell, rerun, why):
    from grader import api

    course = budget_course(tmp_path, "timeouts: {cell: 1, notebook: 30, probe: 10, grace: 10, wall_factor: 3}")
    submissions = tmp_path / "submissions"
    write_notebook(submissions / "ann.ipynb", GOOD_CELLS)
    write_notebook(submissions / "ben.ipynb", [GOOD_CELLS[0], late_cell, GOOD_CELLS[1]])
    summary = api.grade(submissions, "tiny", tmp_path / "results", jobs=2, course=course, progress=False)
    results = {result.student: result for result in summary.results}
    assert not results["ann"].run.rerun_alone and results["ben"].run.rerun_alone == rerun
    assert results["ben"].run.cells[1].status == CellStatus.timeout  # final either way
    report = (tmp_path / "results" / "tiny" / "ben.md").read_text()
    assert ("run again, alone, at the end of the batch" in report) == rerun and why in report
