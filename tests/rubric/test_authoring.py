"""The judges' API (grader.rubric.authoring): the only grader module a rubric's judges.py imports.

Course staff write judges.py against these names; internals then move freely. The test reads every
import in every course judges.py (also inside functions) and in the tiny test course, so a judge that
reaches into ``grader.checks`` or ``grader.pipeline`` fails here rather than after the next refactor.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import numpy as np
import pytest

from grader.rubric import authoring
from tests.conftest import REPO, TINY_JUDGES

API = "grader.rubric.authoring"
JUDGES = sorted((REPO / "rubrics").glob("*/judges.py"))


def grader_imports(source: str) -> set[str]:
    """Every grader module a source imports, at any depth (``from grader import x`` counts as ``grader``)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "grader")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "grader":
            found.add(node.module)
    return found


def test_every_course_has_judges():
    assert len(JUDGES) >= 5  # the glob must find the course, or the test below proves nothing


@pytest.mark.parametrize("path", JUDGES, ids=lambda path: path.parent.name)
def test_judges_import_only_the_authoring_api(path):
    assert grader_imports(path.read_text()) <= {API}


def test_the_tiny_test_course_needs_no_grader_import():
    assert grader_imports(TINY_JUDGES) == set()


def test_the_rule_sees_imports_inside_functions():
    assert grader_imports("def f():\n    from grader.checks.base import CheckNotRun\n    import grader.pipeline\n") == {"grader.checks.base", "grader.pipeline"}


def test_public_names_are_pinned_sorted_and_documented():
    assert authoring.__all__ == sorted(authoring.__all__)
    assert set(authoring.__all__) == {
        "CheckBase",
        "CheckNotRun",
        "Evidence",
        "GraderData",
        "GraphSummary",
        "GraphVariable",
        "ProbeData",
        "finite_array",
        "import_tensorflow",
        "read_summary",
        "relu",
        "sigmoid",
        "softmax",
    }
    undocumented = [name for name in authoring.__all__ if not (getattr(authoring, name).__doc__ or "").strip()]
    assert undocumented == []


def test_judges_names_are_the_ones_the_grader_uses():
    # Re-exports, not copies: an isinstance or an except in a check kind must see the judges' objects.
    from grader.checks.base import CheckNotRun, Evidence
    from grader.pipeline import GRADER_DATA

    assert authoring.CheckNotRun is CheckNotRun and authoring.Evidence is Evidence
    assert isinstance(GRADER_DATA, authoring.GraderData)


def test_forward_pass_helpers():
    z = np.array([[-800.0, 0.0, 2.0]])
    with np.errstate(over="ignore"):
        assert np.allclose(authoring.sigmoid(z), [[0.0, 0.5, 1 / (1 + np.exp(-2.0))]])
    assert np.allclose(authoring.softmax(np.array([[1000.0, 1000.0]])), [[0.5, 0.5]])  # no overflow
    assert np.array_equal(authoring.relu(z), [[0.0, 0.0, 2.0]])


def test_importing_the_api_starts_nothing_heavy():
    # judges.py is imported when a rubric loads (also by `grader list`): TensorFlow only when a judge asks.
    script = f"import sys, {API}; print('tensorflow' in sys.modules, 'grader.pipeline' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120, check=True)
    assert done.stdout.split() == ["False", "False"]
