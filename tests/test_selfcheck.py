"""In-notebook self-check: ``import grader; grader.check("ex1")`` in a real kernel, started by nbclient.

The notebooks here run in real ipykernel kernels (as in Jupyter), so what is asserted is what a student
sees under the cell: the HTML fragment and its plain-text twin, or one error line.
"""

from __future__ import annotations

import shutil
import time
import types
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from grader import api
from grader.errors import InputError
from grader.execution import live
from tests.conftest import GOOD_CELLS, REPO, grade_cells, write_notebook

CHECK = 'import grader\ngrader.check("{}"{})'


def run_in_kernel(path: Path) -> nbformat.NotebookNode:
    """Execute the saved notebook in a fresh kernel whose working folder is the notebook's, as Jupyter does."""
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


def shown(cell) -> dict:
    """What the cell displayed as its result (the last expression), by MIME type."""
    results = [output for output in cell.outputs if output.output_type == "execute_result"]
    assert results, f"no result shown under the cell: {cell.outputs}"
    return results[-1].data


def test_checks_the_live_kernel_state_without_rerunning_the_notebook(tiny_course, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_COURSE", str(tiny_course))  # the kernel inherits it, as from a course's launcher
    path = write_notebook(
        tmp_path / "work" / "tiny.ipynb",
        [
            "runs = globals().get('runs', 0) + 1",
            ("def double(x):\n    return 3 * x", ["ex1"]),
            CHECK.format("ex1", ""),
            ("def double(x):\n    return 2 * x", ["ex1"]),
            CHECK.format("ex1", ""),
            "runs",
            "sorted(name for name in globals() if 'grader' in name and name != 'grader')",
        ],
    )
    cells = run_in_kernel(path).cells
    wrong, fixed = shown(cells[2]), shown(cells[4])
    # The first check saw the wrong double that was live at that moment; a re-run would have seen the fixed one.
    assert "ex1: 0 of 1 public checks passed (0 / 4 points)" in wrong["text/plain"]
    assert "[FAIL] double(x) returns twice x" in wrong["text/plain"] and "hint: Multiply by two." in wrong["text/plain"]
    assert '<td class="status failed">failed</td>' in wrong["text/html"] and "Multiply by two." in wrong["text/html"]
    assert "ex1: 1 of 1 public checks passed (4 / 4 points)" in fixed["text/plain"]
    assert '<td class="status passed">passed</td>' in fixed["text/html"]
    # Only public checks of that exercise: the hidden reference comparison and ex2's check are not there.
    assert "agrees with the reference" not in fixed["text/html"] and "greeting" not in fixed["text/html"]
    assert shown(cells[5])["text/plain"] == "1"  # the student's cells ran once: nothing was re-executed
    assert shown(cells[6])["text/plain"] == "[]"  # the probe runtime left nothing in the student's namespace


def test_static_checks_read_the_saved_notebook_with_its_exercise_tags(tmp_path):
    # PW06 forbids Keras in cells tagged ex3; Keras in an ex4 cell is allowed.
    path = write_notebook(
        tmp_path / "pw06-mlp.ipynb",
        [
            ("if False:\n    from tensorflow import keras", ["ex3"]),
            ("import json", ["ex4"]),
            CHECK.format("ex3", ""),
        ],
    )
    text = shown(run_in_kernel(path).cells[2])["text/plain"]
    assert "[FAIL] Ex 3: low-level TensorFlow only, no Keras" in text
    assert "Code checks read pw06-mlp.ipynb as last saved" in text
    # The ex3 functions do not exist: those checks did not run, and say which name was missing.
    assert "[FAIL] Ex 3: init_params(D, H, K)" in text and "Not evaluated: Your notebook defines no init_params (did its cell run without errors?)." in text
    assert "Ex 4:" not in text  # only the exercise asked for


def test_notebook_path_from_jupyter_and_named_assignment(tmp_path, monkeypatch):
    # Jupyter Server tells the kernel its notebook's path in JPY_SESSION_NAME; the file here has another name.
    path = write_notebook(tmp_path / "my attempt.ipynb", [("import keras", ["ex3"]), CHECK.format("ex3", ', assignment_id="pw06-mlp"')])
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    text = shown(run_in_kernel(path).cells[1])["text/plain"]
    assert "[FAIL] Ex 3: low-level TensorFlow only, no Keras" in text and "Code checks read my attempt.ipynb" in text


def test_a_bad_exercise_is_one_line_under_the_cell(tiny_course, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_COURSE", str(tiny_course))
    path = write_notebook(tmp_path / "tiny.ipynb", [CHECK.format("ex9", "")])
    errors = [output for output in run_in_kernel(path).cells[0].outputs if output.output_type == "error"]
    assert len(errors) == 1
    assert errors[0].traceback == [f"grader: error: {tiny_course / 'rubrics' / 'tiny.yaml'}: no public checks for exercise 'ex9' (exercises with public checks: ex1, ex2)"]


def test_outside_a_notebook_the_exercise_form_says_what_to_run():
    with pytest.raises(InputError, match=r"grader check NOTEBOOK.ipynb"):
        api.check("ex3")


def test_a_notebook_path_is_still_the_whole_notebook_check(tiny_course, tmp_path):
    path = write_notebook(tmp_path / "tiny.ipynb", [("def double(x):\n    return 2 * x", ["ex1"])])
    result = api.check(str(path), course=tiny_course)
    assert result.public_only and [c.check_id for c in result.checks] == ["double-values", "greeting"]


def test_a_probe_that_hangs_in_the_live_kernel_is_stopped_and_named(tiny_course, tmp_path):
    # A stand-in shell (a real kernel runs the same function in the tests above); the probe sleeps.
    from grader.pipeline import choose_inputs, write_inputs
    from grader.rubric import load_assignment

    probes = tiny_course / "rubrics" / "tiny" / "probes.py"
    probes.write_text(probes.read_text().replace('return {"out"', 'import time\n    time.sleep(30)\n    return {"out"'))
    assignment = load_assignment("tiny", tiny_course)
    spec = assignment.rubric.probes["double"].model_copy(update={"timeout": 0.5})
    write_inputs(tmp_path / "inputs", {"double": spec}, choose_inputs(assignment))
    shell = types.SimpleNamespace(user_ns={"double": lambda x: 2 * x})
    started = time.monotonic()
    data = live.run_probes(shell, assignment, {"double": spec}, tmp_path)
    assert data["double"].error == "the probe double ran past its 0.5 s limit"
    assert time.monotonic() - started < 10  # stopped, not slept through


def test_reference_notebook_passes_its_own_exercise_checks(tmp_path):
    # series04's reference, in a kernel like a student's: every public ex3 check passes.
    shutil.copy(REPO / "reference" / "series04-gradients" / "series04-gradients.ipynb", tmp_path / "series04-gradients.ipynb")
    notebook = nbformat.read(tmp_path / "series04-gradients.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(CHECK.format("ex3", "")))
    nbformat.write(notebook, tmp_path / "series04-gradients.ipynb")
    text = shown(run_in_kernel(tmp_path / "series04-gradients.ipynb").cells[-1])["text/plain"]
    assert text.startswith("ex3: 2 of 2 public checks passed (16 / 16 points)")


def test_self_check_cells_are_harmless_while_grading(tiny, local_sandbox, tmp_path):
    # Templates carry `grader.check("exN")` cells; in the sandbox they print one line and grade nothing.
    cells = [*GOOD_CELLS, CHECK.format("ex1", "")]
    result = grade_cells(tmp_path, tiny, local_sandbox, cells)
    assert [cell.status.value for cell in result.run.cells] == ["ok", "ok", "ok"]
    assert result.score == 9


def test_templates_offer_a_self_check_after_each_exercise_with_public_checks():
    from grader.rubric import list_assignments, load_assignment

    for assignment_id in list_assignments(REPO):
        assignment = load_assignment(assignment_id, REPO)
        template = nbformat.read(REPO / "assignments" / assignment_id / assignment.rubric.notebook, as_version=4)
        offered = [cell.source.split('"')[1] for cell in template.cells if cell.source.startswith("import grader\ngrader.check(")]
        assert offered == assignment.rubric.public_exercises(), assignment_id


def test_a_template_stub_is_named_in_plain_words(tiny, local_sandbox, tmp_path):
    stub = ("def double(x):\n    raise NotImplementedError", ["ex1"])
    result = grade_cells(tmp_path, tiny, local_sandbox, [stub, GOOD_CELLS[1]])
    reason = next(c.reason for c in result.checks if c.check_id == "double-values")
    assert reason == "Not evaluated: Your double still raises the template's NotImplementedError."
