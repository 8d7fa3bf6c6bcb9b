"""The Gradescope autograder bundle, and its run_autograder in a folder laid out as Gradescope lays it out.

Contract (Gradescope autograder specifications, https://gradescope-autograders.readthedocs.io/en/latest/specs/):
the zip's root holds setup.sh and run_autograder; it is unpacked to /autograder/source; the upload is in
/autograder/submission, facts about it in /autograder/submission_metadata.json (its example: ``created_at``,
``assignment.due_date``, ``users[].email``/``id``/``name``); results go to /autograder/results/results.json.
Here AUTOGRADER_ROOT moves /autograder to a temporary folder and the real run_autograder script runs the
real grader in a real local sandbox. The same bundle inside a root container without namespaces (as on
Gradescope) is tested in tests/sandbox/test_docker.py.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib

from grader import api
from grader.rubric import load_assignment
from grader.sandbox.images import requirements
from tests.conftest import GOOD_CELLS, write_notebook

LATE = "late_policy: {percent_per_day: 10, max_percent: 50}\n"


def metadata(created: str, due: str = "2026-11-20T23:59:00.000000-08:00") -> dict:
    """submission_metadata.json shaped like the example in Gradescope's specification."""
    return {
        "id": 123456,
        "created_at": created,
        "assignment": {"due_date": due, "late_due_date": None, "title": "Tiny", "total_points": "9.0"},
        "submission_method": "upload",
        "users": [{"email": "jane.doe@example.edu", "id": 1234, "name": "Jane Doe"}],
        "previous_submissions": [],
    }


@pytest.fixture
def bundle(tiny_course, tmp_path) -> Path:
    rubric = tiny_course / "rubrics" / "tiny.yaml"
    rubric.write_text(rubric.read_text() + LATE)
    return api.gradescope_bundle("tiny", tmp_path / "tiny-gradescope.zip", course=tiny_course)


def autograder_root(bundle: Path, root: Path, cells=None, meta: dict | None = None) -> Path:
    """/autograder as Gradescope prepares it: source/ unpacked from the zip, the upload, the metadata."""
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
        for info in archive.infolist():
            os.chmod(root / "source" / info.filename, info.external_attr >> 16 & 0o777)
    (root / "submission").mkdir()
    if cells is not None:
        write_notebook(root / "submission" / "my work.ipynb", cells)
    if meta is not None:
        (root / "submission_metadata.json").write_text(json.dumps(meta))
    return root


def run_autograder(root: Path) -> dict:
    environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    done = subprocess.run([str(root / "source" / "run_autograder")], env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_bundle_holds_what_gradescope_runs_and_never_the_reference_notebook(bundle, tiny_course, tmp_path):
    with zipfile.ZipFile(bundle) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        config = json.loads(archive.read("grader.json"))
        pyproject = tomllib.loads(archive.read("grader-src/pyproject.toml").decode())
    names = set(infos)
    assert {
        "setup.sh",
        "run_autograder",
        "grader.json",
        "course/rubrics/tiny.yaml",
        "course/rubrics/tiny/probes.py",
        "course/rubrics/tiny/judges.py",
        "grader-src/pyproject.toml",
        "grader-src/grader/__init__.py",
        "grader-src/grader/datasets/data/mnist/t10k-labels-idx1-ubyte.gz",
    } <= names
    cached = [n for n in names if n.startswith("course/cache/")]
    assert len(cached) == 1 and cached[0].startswith(f"course/cache/reference-tiny-{config['rubric_sha256'][:16]}-"), cached
    assert not [n for n in names if n.endswith(".ipynb") or "__pycache__" in n or n.startswith("course/reference")]
    for script in ("setup.sh", "run_autograder"):
        assert infos[script].external_attr >> 16 & 0o777 == 0o755
    assert config == {"assignment": "tiny", "grader_version": api.__version__, "rubric_sha256": load_assignment("tiny", tiny_course).fingerprint}
    # Gradescope installs exactly the versions this grader runs with (those the Docker image pins too).
    assert pyproject["project"]["name"] == "grader" and pyproject["project"]["dependencies"] == requirements()
    # The scripts are valid bash, and the same inputs build the same zip byte for byte.
    extracted = autograder_root(bundle, tmp_path / "autograder")
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(extracted / "source" / script)], check=True)
    assert api.gradescope_bundle("tiny", tmp_path / "again.zip", course=tiny_course).read_bytes() == bundle.read_bytes()


def test_run_autograder_grades_the_upload_and_applies_the_late_policy(bundle, tmp_path):
    # Due 20 Nov 23:59 (UTC-8); handed in 1.5 days later: two started days at 10 % each.
    root = autograder_root(bundle, tmp_path / "autograder", GOOD_CELLS, metadata("2026-11-22T11:59:00.000000-08:00"))
    results = run_autograder(root)
    assert results["score"] == pytest.approx(9 * 0.8)
    tests = {test["number"]: test for test in results["tests"]}
    assert set(tests) == {"double-values", "double-reference", "greeting", "no-os"}  # the manual essay is graded on Gradescope
    assert tests["double-values"]["visibility"] == "visible" and tests["double-reference"]["visibility"] == "after_published"
    # The hidden reference comparison passed with the bundled reference data; no reference notebook was needed.
    assert tests["double-reference"]["status"] == "passed" and tests["double-reference"]["score"] == 2
    assert "Submitted 1.5 days late: 1.8 points taken off by the late policy." in results["output"]
    assert "Sandbox: local" in results["output"]
    # Only the grader (root) may read the bundle and write results; the student's uid may not.
    assert stat.S_IMODE((root / "source").stat().st_mode) == 0o700 and stat.S_IMODE((root / "results").stat().st_mode) == 0o700
    assert sorted(p.name for p in (root / "results").iterdir()) == ["results.json"]


def test_wrong_answers_lose_points_with_reasons(bundle, tmp_path):
    cells = [("def double(x):\n    return x + 2", ["ex1"]), ("def greeting():\n    return 'Bye'", ["ex2"])]
    results = run_autograder(autograder_root(bundle, tmp_path / "autograder", cells, metadata("2026-11-20T10:00:00-08:00")))
    tests = {test["number"]: test for test in results["tests"]}
    assert results["score"] == 1  # only no-os; on time, so no penalty
    assert tests["greeting"]["status"] == "failed" and "'Bye'" in tests["greeting"]["output"]


@pytest.mark.parametrize(
    "files, message",
    [
        ([], "no notebook was uploaded; upload your tiny.ipynb"),
        (["a.ipynb", "b.ipynb"], "2 notebooks were uploaded (a.ipynb, b.ipynb); upload your tiny.ipynb"),
    ],
)
def test_an_upload_that_cannot_be_graded_still_gets_results(bundle, tmp_path, files, message):
    root = autograder_root(bundle, tmp_path / "autograder")
    for name in files:
        write_notebook(root / "submission" / name, GOOD_CELLS)
    results = run_autograder(root)
    assert results == {"score": 0.0, "output": f"This submission could not be graded: {root / 'submission'}: {message}", "tests": []}


def test_a_damaged_bundle_is_a_result_too(bundle, tmp_path):
    root = autograder_root(bundle, tmp_path / "autograder", GOOD_CELLS)
    (root / "source" / "grader.json").write_text("{")
    results = run_autograder(root)
    assert results["score"] == 0 and "grader.json: missing or damaged" in results["output"]


def test_the_cli_names_a_missing_assignment_in_one_line(tiny_course, tmp_path):
    done = subprocess.run([sys.executable, "-m", "grader", "--course", str(tiny_course), "gradescope", "bundle", "-a", "nope"], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "no rubric for assignment 'nope'" in done.stderr
