"""The in-notebook self-check as the student sees it under the cell: an HTML fragment and plain text.

The fragment lives inside the student's notebook page, so its style is scoped to its own class and it
loads nothing from outside; its markup is ``grader/templates/reports/selfcheck.html.j2``, autoescaped.
"""

from __future__ import annotations

from grader import templates
from grader.reports.html import CHECK_HELPERS
from grader.reports.terminal import check_lines
from grader.reports.text import points
from grader.results import CheckStatus, ExerciseCheck


def _summary(result: ExerciseCheck) -> str:
    passed = sum(1 for check in result.checks if check.status == CheckStatus.passed)
    earned = sum(check.points_awarded for check in result.checks)
    possible = sum(check.points_possible for check in result.checks)
    return f"{result.exercise}: {passed} of {len(result.checks)} public checks passed ({points(earned)} / {points(possible)} points)"


FOOTER = "A self-check on your running notebook, not your grade: hidden checks run only when your TA grades."


def render_exercise_html(result: ExerciseCheck) -> str:
    return templates.render("reports/selfcheck.html.j2", result=result, summary=_summary(result), notes=[*result.notes, FOOTER], **CHECK_HELPERS)


def render_exercise_text(result: ExerciseCheck) -> str:
    lines = [_summary(result), *check_lines(result.checks)]
    lines += [f"  note: {note}" for note in result.notes]
    lines.append(FOOTER)
    return "\n".join(lines)
