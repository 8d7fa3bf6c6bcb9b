"""Gradescope autograder results.json.

Documented format: Gradescope autograder specifications, "Output format"
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): top-level score, execution_time, output,
tests; each test has score, max_score, name, number, output, status and visibility, one of hidden,
after_due_date, after_published, visible.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.exports import EXPORTERS
from tests.reports.golden import assert_golden
from tests.reports.samples import sample_results

GOLDEN = Path(__file__).parent / "golden"
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def test_gradescope_results_match_golden(tmp_path):
    """Golden: https://gradescope-autograders.readthedocs.io/en/latest/specs/"""
    folder = EXPORTERS["gradescope"]().write(sample_results(), tmp_path / "gradescope")
    for result in sample_results():
        assert_golden((folder / result.student / "results.json").read_text(encoding="utf-8"), GOLDEN / f"gradescope-{result.student}.json")


def test_results_json_follows_the_specification(tmp_path):
    folder = EXPORTERS["gradescope"]().write(sample_results(), tmp_path / "gradescope")
    for result in sample_results():
        document = json.loads((folder / result.student / "results.json").read_text())
        assert set(document) == {"score", "execution_time", "output", "tests"}
        assert document["score"] == result.score and isinstance(document["execution_time"], int)
        for test in document["tests"]:
            assert set(test) == {"name", "number", "score", "max_score", "status", "output", "visibility"}
            assert test["visibility"] in VISIBILITIES and test["status"] in ("passed", "failed")
            assert 0 <= test["score"] <= test["max_score"]


def test_visibility_follows_the_rubric_and_pending_items_are_left_out(tmp_path):
    folder = EXPORTERS["gradescope"]().write(sample_results(), tmp_path / "gradescope")
    bob = json.loads((folder / "smithbob-2345" / "results.json").read_text())
    tests = {test["number"]: test for test in bob["tests"]}
    assert tests["ex1-forward"]["visibility"] == "visible"
    assert tests["ex3-accuracy"]["visibility"] == "after_published"
    assert "ex5-review" not in tests  # still pending: on Gradescope a TA grades it there
    assert bob["score"] == 4.5 and "Submitted 2 days late" in bob["output"]
    carol = json.loads((folder / "leecarol-3456" / "results.json").read_text())
    forward = next(test for test in carol["tests"] if test["number"] == "ex1-forward")
    assert forward["output"].endswith("Hint: Apply the sigmoid last.") and forward["status"] == "failed" and forward["score"] == 2.5
