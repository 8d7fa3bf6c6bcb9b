"""grader assign: one source notebook with solution markers makes the template and the reference."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from grader import api
from grader.authoring.assign import split_source
from grader.errors import RubricError
from grader.pipeline import Submission, grade_submission
from grader.rubric import load_assignment
from grader.sandbox.local import LocalSandbox

SOURCE_CELLS = [
    ("markdown", "# Tiny assignment\n\nDouble numbers, then greet.", [], "intro"),
    (
        "code",
        "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
        ["ex1"],
        "ex1-code",
    ),
    (
        "code",
        "def greeting():\n    ### BEGIN SOLUTION\n    word = 'Hello'\n    return word + '!'\n    ### END SOLUTION\n    ### BEGIN PROMPT\n    # word = ...\n    #\n    # return word\n    ### END PROMPT",
        ["ex2"],
        "ex2-code",
    ),
    ("markdown", "### Essay\n<!-- BEGIN SOLUTION -->\nSharing saves memory.\n<!-- END SOLUTION -->\n<!-- BEGIN PROMPT\n*Why share weights?*\n\nYOUR ANSWER HERE\nEND PROMPT -->", ["essay"], "essay"),
    ("code", "assert double(2) == 4  # the reference checks itself", ["reference-only"], "self-test"),
    ("code", "# Run every cell, then save.", ["template-only"], "footer"),
]


def write_source(course, cells=SOURCE_CELLS):
    notebook = nbformat.v4.new_notebook()
    notebook.nbformat_minor = 5
    notebook.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    for kind, text, tags, key in cells:
        cell = nbformat.v4.new_markdown_cell(text) if kind == "markdown" else nbformat.v4.new_code_cell(text)
        cell.id = key
        if tags:
            cell.metadata["tags"] = tags
        if kind == "code":
            cell.outputs = [nbformat.v4.new_output("stream", text="left over from the author's run\n")]
            cell.execution_count = 7
        notebook.cells.append(cell)
    path = course / "rubrics" / "tiny" / "source.ipynb"
    nbformat.write(notebook, path)
    return path


def sources(path):
    return {cell.id: cell.source for cell in nbformat.read(path, as_version=4).cells}


def test_assign_makes_template_and_reference(tiny_course):
    write_source(tiny_course)
    template_path, reference_path = api.assign("tiny", course=tiny_course)
    template, reference = sources(template_path), sources(reference_path)
    assert template_path == tiny_course / "assignments" / "tiny" / "tiny.ipynb"
    assert template["ex1-code"] == "def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert reference["ex1-code"] == "def double(x):\n    return 2 * x"
    assert template["ex2-code"] == "def greeting():\n    word = ...\n\n    return word"
    assert reference["ex2-code"] == "def greeting():\n    word = 'Hello'\n    return word + '!'"
    assert template["essay"] == "### Essay\n*Why share weights?*\n\nYOUR ANSWER HERE" and reference["essay"] == "### Essay\nSharing saves memory."
    assert "self-test" in reference and "self-test" not in template
    assert "footer" in template and "footer" not in reference
    # A self-check cell after each exercise with public checks (tiny: ex1 and ex2), none in the reference.
    order = list(template)
    assert order.index("check-ex1") == order.index("ex1-code") + 1 and 'grader.check("ex2")' in template["check-ex2"]
    assert not any(key.startswith("check-") for key in reference)
    for path in (template_path, reference_path):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            assert cell.metadata.get("tags", []) in ([], ["ex1"], ["ex2"], ["essay"])
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None


def test_assign_is_deterministic_and_validate_refuses_stale_files(tiny_course):
    write_source(tiny_course)
    first = [path.read_bytes() for path in api.assign("tiny", course=tiny_course)]
    second = [path.read_bytes() for path in api.assign("tiny", course=tiny_course)]
    assert first == second
    template = tiny_course / "assignments" / "tiny" / "tiny.ipynb"
    template.write_bytes(template.read_bytes().replace(b"YOUR ANSWER HERE", b"YOUR ANSWER"))  # edited by hand
    with pytest.raises(RubricError, match=r"tiny.ipynb: not what the source notebook makes now; run `grader assign tiny`"):
        api.validate("tiny", course=tiny_course, progress=False)


def test_generated_reference_earns_full_marks_and_template_earns_none(tiny_course):
    write_source(tiny_course)
    template_path, reference_path = api.assign("tiny", course=tiny_course)
    assignment = load_assignment("tiny", tiny_course)
    sandbox = LocalSandbox(hide=[tiny_course / "rubrics", tiny_course / "reference"])
    reference, data = grade_submission(Submission("reference", reference_path), assignment, sandbox, is_reference=True)
    assert reference.score == 9, [(c.check_id, c.reason) for c in reference.checks]
    template, _ = grade_submission(Submission("template", template_path), assignment, sandbox, reference=data)
    assert template.score == 1, [(c.check_id, c.points_awarded) for c in template.checks]  # only "ex1 does not use os"


@pytest.mark.parametrize(
    ("text", "kind", "problem"),
    [
        ("### BEGIN SOLUTION\nx = 1", "code", "BEGIN SOLUTION is never closed"),
        ("x = 1\n### END SOLUTION", "code", "line 2: END SOLUTION without BEGIN SOLUTION"),
        ("### BEGIN SOLUTION\n### BEGIN PROMPT", "code", "line 2: BEGIN PROMPT inside an open SOLUTION block"),
        ("### BEGIN PROMPT\nx = ...\n### END PROMPT", "code", "prompt line 'x = ...' is not a comment"),
        ("<!-- BEGIN PROMPT\ntext", "markdown", "BEGIN PROMPT is never closed"),
    ],
)
def test_bad_markers_are_refused(text, kind, problem):
    with pytest.raises(ValueError, match=problem.replace("(", r"\(")):
        split_source(text, kind)


def test_bad_markers_name_file_and_cell_in_one_line(tiny_course):
    write_source(tiny_course, [("code", "def f():\n    ### BEGIN SOLUTION\n    return 1", ["ex1"], "broken-cell")])
    done = subprocess.run([sys.executable, "-m", "grader", "--course", str(tiny_course), "assign", "tiny"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"grader: error: {tiny_course / 'rubrics' / 'tiny' / 'source.ipynb'}: cell broken-cell: BEGIN SOLUTION is never closed"]


def test_markers_in_text_that_only_mention_them_are_kept():
    template, reference = split_source("# write your code between ### BEGIN SOLUTION markers\nx = 1", "code")
    assert template == reference == "# write your code between ### BEGIN SOLUTION markers\nx = 1"


@pytest.mark.parametrize("assignment_id", ["pw06-mlp", "series01-compression", "series04-gradients", "series10-autoencoder", "tf-basics"])
def test_every_course_assignment_is_generated_from_its_source(assignment_id):
    from tests.conftest import REPO

    assignment = load_assignment(assignment_id, REPO)
    from grader.authoring.assign import generate, source_path, stale, targets

    assert source_path(assignment).exists()
    assert stale(assignment) == []  # byte for byte what `grader assign` writes
    made = generate(source_path(assignment), assignment.rubric.public_exercises())
    assert made.template != made.reference and b"BEGIN SOLUTION" not in made.template + made.reference
    assert [path.read_bytes() for path in targets(assignment)] == [made.template, made.reference]
