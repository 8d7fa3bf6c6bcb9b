"""Shared fixtures: real notebooks, a tiny real course (rubric + probes + judges), real sandboxes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = Path(__file__).parent / "notebooks"


def write_notebook(path: Path, cells: list[str | tuple[str, list[str]]]) -> Path:
    """A v4 notebook of code cells; a cell is its source, or (source, tags)."""
    notebook = nbformat.v4.new_notebook()
    for cell in cells:
        source, tags = (cell, []) if isinstance(cell, str) else cell
        code = nbformat.v4.new_code_cell(textwrap.dedent(source).strip())
        if tags:
            code.metadata["tags"] = tags
        notebook.cells.append(code)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


TINY_RUBRIC = """
id: tiny
title: Tiny assignment
notebook: tiny.ipynb
timeouts: {cell: 4, notebook: 30, probe: 10, grace: 10}
resources: {memory_mb: 1024, processes: 64, file_size_mb: 8, scratch_mb: 64}
seed: 3
probes:
  double: {inputs: numbers}
  greeting: {}
checks:
  - id: double-values
    kind: compare
    title: double(x) returns twice x
    points: 4
    partial: true
    visibility: public
    exercise: ex1
    probe: double
    field: out
    expected: formula
    formula: twice
    feedback: {hint: "Multiply by two."}
  - id: double-reference
    kind: compare
    title: double(x) agrees with the reference
    points: 2
    exercise: ex1
    probe: double
    field: out
    expected: reference
  - id: greeting
    kind: test
    title: greeting() says hello
    points: 2
    visibility: public
    exercise: ex2
    function: says_hello
    probes: [greeting]
  - id: no-os
    kind: static
    title: ex1 does not use os
    points: 1
    cells: [ex1]
    forbidden: [os]
  - id: essay
    kind: manual
    title: Essay
    points: 3
"""

TINY_PROBES = """
def double(ns, inputs):
    return {"out": [ns["double"](float(v)) for v in inputs["x"]]}


def greeting(ns, inputs):
    return {"text": str(ns["greeting"]())}
"""

TINY_JUDGES = """
def numbers(rng, data):
    return {"x": rng.normal(size=5)}, {}


def twice(inputs, held):
    return inputs["x"] * 2


def says_hello(evidence, check):
    text = evidence.value("greeting", "text", check)
    assert "hello" in text.lower(), f"greeting() returned {text!r}; it should say hello."
"""

GOOD_CELLS = [("def double(x):\n    return 2 * x", ["ex1"]), ("def greeting():\n    return 'Hello!'", ["ex2"])]


def make_tiny_course(root: Path) -> Path:
    """A real course folder with the tiny rubric, its probes and judges, and a reference solution."""
    course = root / "course"
    (course / "rubrics" / "tiny").mkdir(parents=True)
    (course / "rubrics" / "tiny.yaml").write_text(TINY_RUBRIC)
    (course / "rubrics" / "tiny" / "probes.py").write_text(TINY_PROBES)
    (course / "rubrics" / "tiny" / "judges.py").write_text(TINY_JUDGES)
    write_notebook(course / "reference" / "tiny" / "tiny.ipynb", GOOD_CELLS)
    return course


@pytest.fixture(autouse=True)
def private_grader_cache(tmp_path_factory, monkeypatch) -> Path:
    """Each test its own reference cache: a test must not pass on data another test computed."""
    folder = tmp_path_factory.mktemp("grader-cache")
    monkeypatch.setenv("GRADER_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def tiny_course(tmp_path: Path) -> Path:
    return make_tiny_course(tmp_path)


@pytest.fixture
def tiny(tiny_course: Path):
    from grader.rubric import load_assignment

    return load_assignment("tiny", tiny_course)


@pytest.fixture
def local_sandbox(tiny_course: Path):
    from grader.sandbox.local import LocalSandbox

    return LocalSandbox(hide=[tiny_course / "rubrics", tiny_course / "reference"])


def grade_cells(tmp_path: Path, assignment, sandbox, cells, name: str = "student", reference=None, with_data: bool = False):
    """Grade a notebook made of these cells with the tiny rubric; return the result (and the probe data)."""
    from grader.pipeline import Submission, grade_submission

    path = write_notebook(tmp_path / "submissions" / f"{name}.ipynb", cells)
    if reference is None:
        reference = tiny_reference(assignment)
    result, data = grade_submission(Submission(name, path), assignment, sandbox, reference=reference)
    return (result, data) if with_data else result


def tiny_reference(assignment):
    """What the tiny reference's probe returns on the grader's inputs (its real run is tested in test_api)."""
    from grader.checks.base import ProbeData
    from grader.pipeline import choose_inputs

    return {"double": ProbeData("double", {"out": choose_inputs(assignment).sent["double"]["x"] * 2})}


def sandbox_processes(sandbox) -> list[str]:
    """Processes owned by the uids this local sandbox gave its jobs: none may outlive a job."""
    import subprocess

    listing = subprocess.run(["ps", "-eo", "uid=,pid=,ppid=,stat=,etimes=,args="], capture_output=True, text=True).stdout.splitlines()
    # Zombies are dead already (they wait for the machine's init to reap them); anything else is alive.
    return [line for line in listing if line.split() and int(line.split()[0]) in sandbox.uids_used and not line.split()[3].startswith("Z")]


def by_id(result):
    return {check.check_id: check for check in result.checks}


def validate_by_name(assignment_id: str) -> dict:
    """``grader validate`` of one real course assignment (real kernels, real TF), outcomes by notebook name."""
    from grader import api

    return {outcome.name: outcome for outcome in api.validate(assignment_id, course=REPO, jobs=2, progress=False)}


def expected_scores(assignment_id: str) -> dict[str, float]:
    import yaml

    path = REPO / "assignments" / assignment_id / "samples" / "expected.yaml"
    return {name: float(score) for name, score in yaml.safe_load(path.read_text()).items()}


def student_namespace(source: str, tensorflow_v1: bool = False) -> dict:
    """The kernel namespace a student's cell leaves behind (run in this process: probes are tested through the real runtime)."""
    import numpy as np

    from grader.checks.base import import_tensorflow

    tensorflow = import_tensorflow()
    namespace = {"np": np, "tf": tensorflow.compat.v1 if tensorflow_v1 else tensorflow}
    exec(compile(textwrap.dedent(source), "student-cell", "exec"), namespace)
    return namespace


def judge_probes(tmp_path: Path, assignment, namespace: dict, probe_names: list[str], check_ids: list[str], reference=None) -> dict:
    """Run the rubric's real probes on a student namespace (real runtime, grader-chosen inputs), then its real checks."""
    from grader.checks.base import Evidence
    from grader.pipeline import choose_inputs, judge_checks
    from tests.probes.harness import run_probe

    inputs = choose_inputs(assignment)
    data = {name: run_probe(tmp_path / name, assignment.probes_source, name, namespace, inputs.sent.get(name)) for name in probe_names}
    evidence = Evidence(probes=data, held=inputs.held, inputs=inputs.sent, reference=reference, code_cells=[], cells=[], staff=assignment.staff)
    checks = [check for check in assignment.rubric.checks if check.id in check_ids]
    return {verdict.check_id: verdict for verdict in judge_checks(checks, evidence)}
