"""The in-notebook self-check as the student sees it under the cell: an HTML fragment and plain text.

The fragment lives inside the student's notebook page, so its style is scoped to its own class and it
loads nothing from outside.
"""

from __future__ import annotations

from html import escape

from grader.reports.html import render_check_row
from grader.reports.terminal import check_lines
from grader.reports.text import points
from grader.results import CheckStatus, ExerciseCheck

STYLE = """
.grader-selfcheck{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;border:1px solid #ddd;border-radius:6px;padding:.6rem .8rem;margin:.3rem 0;line-height:1.4}
.grader-selfcheck table{border-collapse:collapse;width:100%}.grader-selfcheck td,.grader-selfcheck th{border-bottom:1px solid #eee;padding:.35rem;text-align:left;vertical-align:top}
.grader-selfcheck .status{font-weight:600;white-space:nowrap}.grader-selfcheck .passed{color:#146c2e}.grader-selfcheck .failed,.grader-selfcheck .error{color:#b3261e}
.grader-selfcheck .partial{color:#8a5a00}.grader-selfcheck .hint,.grader-selfcheck .note{color:#555;font-style:italic}
.grader-selfcheck img{max-width:100%;height:auto}.grader-selfcheck figure{display:inline-block;margin:.3rem}
"""


def _summary(result: ExerciseCheck) -> str:
    passed = sum(1 for check in result.checks if check.status == CheckStatus.passed)
    earned = sum(check.points_awarded for check in result.checks)
    possible = sum(check.points_possible for check in result.checks)
    return f"{result.exercise}: {passed} of {len(result.checks)} public checks passed ({points(earned)} / {points(possible)} points)"


FOOTER = "A self-check on your running notebook, not your grade: hidden checks run only when your TA grades."


def render_exercise_html(result: ExerciseCheck) -> str:
    rows = "".join(render_check_row(check) for check in result.checks)
    notes = "".join(f'<p class="note">{escape(note)}</p>' for note in [*result.notes, FOOTER])
    mark = "passed" if result.passed else "failed"
    return (
        f'<div class="grader-selfcheck"><style>{STYLE}</style>'
        f'<div class="status {mark}">{escape(_summary(result))}</div>'
        f"<table><thead><tr><th>Check</th><th>Points</th><th>Result</th><th>Why</th></tr></thead><tbody>{rows}</tbody></table>"
        f"{notes}</div>"
    )


def render_exercise_text(result: ExerciseCheck) -> str:
    lines = [_summary(result), *check_lines(result.checks)]
    lines += [f"  note: {note}" for note in result.notes]
    lines.append(FOOTER)
    return "\n".join(lines)
