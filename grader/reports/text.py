"""Wording shared by every report: status labels and the sentence about how the run went."""

from __future__ import annotations

import re

from grader.results import CheckResult, CheckStatus, RunStatus, SubmissionResult

STATUS_LABEL = {
    CheckStatus.passed: "passed",
    CheckStatus.partial: "partly",
    CheckStatus.failed: "failed",
    CheckStatus.error: "not run",
    CheckStatus.pending: "TA grades",
    CheckStatus.review: "TA reviews",
}


def status_label(check: CheckResult) -> str:
    """The word a report shows for a check; optional work that earned nothing is not a failure."""
    if check.bonus and check.points_awarded == 0 and check.status != CheckStatus.pending:
        return "optional, not earned"
    return STATUS_LABEL[check.status]


def lost_points(check: CheckResult) -> bool:
    """True when the check cost the student points: never for bonus work, whose points are all extra."""
    return not check.bonus and check.status in (CheckStatus.failed, CheckStatus.partial, CheckStatus.error)


RESERVED = {"index", "roster"}  # index.html (the dashboard) and roster.json sit beside the student reports


def report_name(student: str) -> str:
    """File name stem of a student's reports; never one of the folder's own files, and one name per student.

    ``index`` and ``roster`` become ``_index`` and ``_roster``; a name that starts with ``_`` gets one more,
    so no two students ever share a stem.
    """
    return f"_{student}" if student.lower() in RESERVED or student.startswith("_") else student


def points(value: float) -> str:
    return f"{value:g}"


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# (?<!\s): a run of white space is tried once, from its start; without it every position inside a long run
# rescans the rest of it (a student's error of 40,000 spaces took 6 s).
TF_NOISE = re.compile(r"\{\{function_node [^}]*\}\}|(?<!\s)\s*\[\[\{\{node [^}]*\}\}\]\]|(?<!\s)\s*\[Op:[\w.]+\]( name: [^\n]*)?")
TRACE_LINE = re.compile(r"^\s*(Traceback \(most recent call last\)|File \"|Detected at node|Node: '|defined at \(most recent call last\))")


def essential_error(text: str | None, limit: int = 240) -> str:
    """An error message cut to what a student needs: no colours, no traceback lines, no TensorFlow node names."""
    if not text:
        return ""
    kept, after_frame = [], False
    for line in TF_NOISE.sub("", ANSI.sub("", text)).splitlines():
        if TRACE_LINE.match(line):
            after_frame = line.lstrip().startswith("File")
            continue
        if after_frame and line.startswith("    "):
            continue  # the source line Python prints under a frame
        after_frame = False
        if line.strip():
            kept.append(line.strip())
    short = re.sub(r"\s+", " ", " ".join(kept[:3]))
    return short if len(short) <= limit else short[: limit - 1] + "…"


def run_summary(result: SubmissionResult) -> list[str]:
    """Sentences for the student about the run itself: cells that failed, limits that were hit."""
    if not result.graded:
        return [f"Your notebook could not be graded: {result.error}"]
    lines: list[str] = []
    run = result.run
    if run is None:
        return lines
    if run.rerun_alone:
        lines.append("A time budget ran out while other notebooks were graded beside yours, so it was run again, alone, at the end of the batch; this report is that run.")
    if run.status != RunStatus.completed and run.reason:
        lines.append(f"The run did not complete: {run.reason}.")
    for cell in run.cells:
        if cell.status.value == "ok":
            continue
        tags = f" ({', '.join(cell.tags)})" if cell.tags else ""
        what = {
            "error": f"raised {essential_error(cell.error)}",
            "timeout": f"timed out: it {cell.error}",
            "kernel_died": "killed the Python kernel; the grader restarted it, so later cells ran without the earlier state",
            "skipped": f"was skipped because {cell.error or 'the notebook time budget was spent'}",
        }[cell.status.value]
        lines.append(f"Cell {cell.index + 1}{tags} {what}.")
    return lines


def visible_checks(result: SubmissionResult):
    """Checks in report order (hidden ones are shown too: the TA's grade needs explaining)."""
    return result.checks


def late_note(result: SubmissionResult) -> str:
    """A sentence on lateness, or '' when the submission was on time."""
    if not result.days_late:
        return ""
    shown = max(round(result.days_late, 1), 0.1)  # the LMS gives seconds; a tenth of a day is what a student needs
    days = f"{shown:g} day{'s' if shown != 1 else ''}"
    if result.late_penalty:
        return f"Submitted {days} late: {points(result.late_penalty)} points taken off by the late policy."
    return f"Submitted {days} late."


def feedback_summary(result: SubmissionResult, limit: int = 2000) -> str:
    """Plain-text feedback for an LMS comment box: the score, then every check that lost points and why."""
    lines = [f"Score: {points(result.score)} / {points(result.max_score)}."]
    if not result.graded:
        lines.append(f"Not graded: {result.error}")
    if result.pending_points:
        lines.append(f"{points(result.pending_points)} points still to be graded by a TA.")
    if late_note(result):
        lines.append(late_note(result))
    for check in result.checks:
        if lost_points(check):
            lines.append(f"- {check.title} ({points(check.points_awarded)}/{points(check.points_possible)}): {check.reason}")
    text = "\n".join(lines)
    return text if len(text) <= limit else text[: limit - 1] + "…"
