"""Wording shared by every report: status labels and the sentence about how the run went."""

from __future__ import annotations

from grader.results import CheckStatus, RunStatus, SubmissionResult

STATUS_LABEL = {
    CheckStatus.passed: "passed",
    CheckStatus.partial: "partly",
    CheckStatus.failed: "failed",
    CheckStatus.error: "not run",
    CheckStatus.pending: "TA grades",
}


def points(value: float) -> str:
    return f"{value:g}"


def run_summary(result: SubmissionResult) -> list[str]:
    """Sentences for the student about the run itself: cells that failed, limits that were hit."""
    if not result.graded:
        return [f"Your notebook could not be graded: {result.error}"]
    lines: list[str] = []
    run = result.run
    if run is None:
        return lines
    if run.status != RunStatus.completed and run.reason:
        lines.append(f"The run did not complete: {run.reason}.")
    for cell in run.cells:
        if cell.status.value == "ok":
            continue
        tags = f" ({', '.join(cell.tags)})" if cell.tags else ""
        what = {
            "error": f"raised {cell.error}",
            "timeout": f"timed out: it {cell.error}",
            "kernel_died": "killed the Python kernel; the grader restarted it, so later cells ran without the earlier state",
            "skipped": "was skipped because the notebook's time budget was spent",
        }[cell.status.value]
        lines.append(f"Cell {cell.index + 1}{tags} {what}.")
    return lines


def visible_checks(result: SubmissionResult):
    """Checks in report order (hidden ones are shown too: the TA's grade needs explaining)."""
    return result.checks
