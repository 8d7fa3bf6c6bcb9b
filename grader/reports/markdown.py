"""The student's feedback report as Markdown (also what the terminal and LMS comments reuse)."""

from __future__ import annotations

from grader.reports.text import STATUS_LABEL, points, run_summary
from grader.results import SubmissionResult


def render_markdown(result: SubmissionResult, title: str) -> str:
    lines = [
        f"# {title}",
        "",
        f"**Student:** {result.student}  ",
        f"**Score:** {points(result.score)} / {points(result.max_score)}"
        + (f" ({points(result.pending_points)} points still to be graded by a TA)" if result.pending_points else ""),
        "",
    ]
    summary = run_summary(result)
    if summary:
        lines += ["## How your notebook ran", ""] + [f"- {line}" for line in summary] + [""]
    lines += ["## Checks", "", "| Check | Points | Result | Why |", "|---|---|---|---|"]
    for check in result.checks:
        why = check.reason.replace("|", "\\|").replace("\n", " ")
        if check.hint:
            why += f" *Hint:* {check.hint}"
        lines.append(f"| {check.title} | {points(check.points_awarded)} / {points(check.points_possible)} | {STATUS_LABEL[check.status]} | {why} |")
    lines += ["", f"*Graded {result.graded_at} by grader {result.grader_version}.*", ""]
    return "\n".join(lines)
