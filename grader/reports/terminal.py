"""Plain-text output for the terminal: the student's self-check and the TA's score table.

Student-made text (ids from file names, errors, reasons) is printed through ``terminal_text``: control
characters would otherwise reach the TA's terminal as escape sequences (retitle it, clear it, hide lines).
"""

from __future__ import annotations

import re

from grader.reports.text import STATUS_LABEL, lost_points, points, run_summary
from grader.results import AWAITING_TA, CheckResult, CheckStatus, SubmissionResult

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(text: str) -> str:
    return CONTROL.sub("?", text)


MARK = {CheckStatus.passed: "PASS", CheckStatus.partial: "PART", CheckStatus.failed: "FAIL", CheckStatus.error: "FAIL", CheckStatus.pending: "TA  ", CheckStatus.review: "TA? "}


def check_lines(checks: list[CheckResult]) -> list[str]:
    """One line per check, with the reason and hint under those that did not pass (a student's self-checks)."""
    lines = []
    for check in checks:
        lines.append(f"  [{MARK[check.status]}] {check.title} ({points(check.points_awarded)}/{points(check.points_possible)})")
        if check.status != CheckStatus.passed:
            lines.append(f"         {terminal_text(check.reason)}")
            if check.hint:
                lines.append(f"         hint: {check.hint}")
    return lines


def render_check(result: SubmissionResult) -> str:
    lines = [f"{result.notebook_path}: public checks", "", *check_lines(result.checks)]
    notes = run_summary(result)
    if notes:
        lines += [""] + [f"  note: {terminal_text(line)}" for line in notes]
    passed = sum(1 for c in result.checks if c.status == CheckStatus.passed)
    automatic = sum(1 for c in result.checks if c.status not in AWAITING_TA)
    lines += ["", f"{passed} of {automatic} public checks passed. Hidden checks run only when your TA grades."]
    return "\n".join(lines)


def render_table(results: list[SubmissionResult]) -> str:
    width = max([len("student")] + [len(r.student) for r in results])
    lines = [f"{'student'.ljust(width)}  {'score':>13}  status"]
    for result in sorted(results, key=lambda r: r.student):
        score = f"{points(result.score)}/{points(result.max_score)}"
        status = "not graded: " + (result.error or "") if not result.graded else (result.run.status.value if result.run else "")
        problems = [c.check_id for c in result.checks if lost_points(c)]
        lost = f"  lost: {', '.join(problems)}" if problems else ""
        lines.append(terminal_text(f"{result.student.ljust(width)}  {score:>13}  {status}{lost}"))
    return "\n".join(lines)


def progress_note(result: SubmissionResult) -> str:
    """A finished notebook in a few words, for a progress display: ``doejane: 7/10 (12 s)``."""
    return terminal_text(f"{result.student}: {points(result.score)}/{points(result.max_score)} ({result.duration_s:.0f} s)")


def progress_line(done: int, total: int, result: SubmissionResult, width: int = 24) -> str:
    """One line of a plain progress log (a file, CI), where a redrawn bar would be noise: ``[####....] 3/10  doejane: 7/10 (12 s)``."""
    filled = int(width * done / total) if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}  {progress_note(result)}"


__all__ = ["STATUS_LABEL", "progress_line", "progress_note", "render_check", "render_table"]
