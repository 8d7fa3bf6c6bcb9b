"""The student's feedback report as Markdown (also what the terminal and LMS comments reuse)."""

from __future__ import annotations

from grader.reports.text import essential_error, late_note, points, run_summary, status_label
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
    if late_note(result):
        lines += [late_note(result), ""]
    summary = run_summary(result)
    if summary:
        lines += ["## How your notebook ran", ""] + [f"- {line}" for line in summary] + [""]
    excerpt = result.failing_cell
    if excerpt:
        tags = f" ({', '.join(excerpt.tags)})" if excerpt.tags else ""
        more = [f"# … {excerpt.hidden_lines} more lines"] if excerpt.hidden_lines else []
        lines += ["## Where your notebook went wrong", "", f"Cell {excerpt.index + 1}{tags}:", "", "```python", excerpt.source, *more, "```", ""]
        if excerpt.error:
            lines += [f"> {essential_error(excerpt.error)}", ""]
    lines += ["## Checks", "", "| Check | Points | Result | Why |", "|---|---|---|---|"]
    for check in result.checks:
        why = check.reason
        if check.hint:
            why += f" *Hint:* {check.hint}"
        if check.figures:
            why += " *Figures:* " + ", ".join(figure.title for figure in check.figures) + " (in the HTML report)."
        why = why.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {check.title} | {points(check.points_awarded)} / {points(check.points_possible)} | {status_label(check)} | {why} |")
    lines += ["", f"*Graded {result.graded_at} by grader {result.grader_version}.*", ""]
    return "\n".join(lines)
