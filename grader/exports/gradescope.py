"""Gradescope autograder results: one ``results.json`` per student, in ``<path>/<student>/results.json``.

Format (Gradescope autograder specifications, "Output format")::

    {"score": 72.0, "execution_time": 41, "output": "...",
     "tests": [{"name": "...", "number": "ex1-forward", "score": 5.0, "max_score": 5.0,
                "status": "passed", "output": "...", "visibility": "visible"}]}

A public check is ``visible``; a hidden one ``after_published`` (students see it when grades are
published). Manual items still pending are left out: on Gradescope a TA grades those in its own
questions. The top-level score is the grader's (late penalty included), which Gradescope uses over the
sum of the tests.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.exports.base import Exporter, replace_atomically
from grader.reports.text import late_note, points, run_summary
from grader.results import AWAITING_TA, CheckStatus, SubmissionResult

VISIBILITY = {"public": "visible", "hidden": "after_published"}


def results_json(result: SubmissionResult) -> dict:
    """The results.json document of one submission."""
    tests = []
    for check in result.checks:
        if check.status in AWAITING_TA:
            continue
        output = check.reason + (f"\nHint: {check.hint}" if check.hint else "")
        test = {
            "name": check.title,
            "number": check.check_id,
            "score": check.points_awarded,
            "max_score": check.points_possible,
            "status": "passed" if check.status == CheckStatus.passed else "failed",
            "output": output,
            "visibility": VISIBILITY.get(check.visibility, "after_published"),
        }
        tests.append(test)
    notes = run_summary(result) + ([late_note(result)] if late_note(result) else [])
    return {
        "score": result.score,
        "execution_time": round(result.duration_s),
        "output": "\n".join([f"Score: {points(result.score)} / {points(result.max_score)}", *notes]),
        "tests": tests,
    }


class GradescopeExporter(Exporter):
    format = "gradescope"
    suffix = ""

    def write(self, results: list[SubmissionResult], path: Path) -> Path:
        several = len({r.assignment_id for r in results}) > 1
        for result in results:
            folder = path / result.assignment_id / result.student if several else path / result.student
            replace_atomically(folder / "results.json", json.dumps(results_json(result), indent=2, ensure_ascii=False) + "\n")
        return path
