"""The student's feedback report as Markdown (also what the terminal and LMS comments reuse).

Student-made text is inert here: outside code it goes through ``markdown_text`` (one line, HTML escaped,
Markdown punctuation escaped), so an error message cannot open a heading, a link or raw HTML; the failing
cell sits in a fence longer than any run of backticks in it, so no line of the student's code closes it.
"""

from __future__ import annotations

import re
from html import escape

from grader.reports.text import essential_error, late_note, points, run_summary, status_label
from grader.results import SubmissionResult

PUNCTUATION = re.compile(r"([\\`*_\[\]|#~])")
ORDERED_MARKER = re.compile(r"^(\d{1,9})(?=[.)]( |$))")


def markdown_text(text: str) -> str:
    """Text shown as itself anywhere in a Markdown line: never markup, never more than one line."""
    flat = " ".join(str(text).split())
    safe = PUNCTUATION.sub(r"\\\1", escape(flat, quote=False))
    # After "- " or "> " a leading "-", "+" or "1. " would start a nested list or a rule (">" is already &gt;).
    if safe[:1] in ("-", "+"):
        return "\\" + safe
    return ORDERED_MARKER.sub(r"\1\\", safe)


def code_fence(code: str) -> str:
    """A backtick fence longer than any backtick run in the code (CommonMark closes a fence only with one as long)."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    return "`" * max(3, longest + 1)


def render_markdown(result: SubmissionResult, title: str) -> str:
    lines = [
        f"# {markdown_text(title)}",
        "",
        f"**Student:** {markdown_text(result.student)}  ",
        f"**Score:** {points(result.score)} / {points(result.max_score)}" + (f" ({points(result.pending_points)} points still to be graded by a TA)" if result.pending_points else ""),
        "",
    ]
    if late_note(result):
        lines += [late_note(result), ""]
    summary = run_summary(result)
    if summary:
        lines += ["## How your notebook ran", ""] + [f"- {markdown_text(line)}" for line in summary] + [""]
    excerpt = result.failing_cell
    if excerpt:
        tags = f" ({markdown_text(', '.join(excerpt.tags))})" if excerpt.tags else ""
        more = [f"# … {excerpt.hidden_lines} more lines"] if excerpt.hidden_lines else []
        fence = code_fence(excerpt.source)
        lines += ["## Where your notebook went wrong", "", f"Cell {excerpt.index + 1}{tags}:", "", f"{fence}python", excerpt.source, *more, fence, ""]
        if excerpt.error:
            lines += [f"> {markdown_text(essential_error(excerpt.error))}", ""]
    lines += ["## Checks", "", "| Check | Points | Result | Why |", "|---|---|---|---|"]
    for check in result.checks:
        why = markdown_text(check.reason)
        if check.hint:
            why += f" *Hint:* {markdown_text(check.hint)}"
        if check.figures:
            why += " *Figures:* " + ", ".join(markdown_text(figure.title) for figure in check.figures) + " (in the HTML report)."
        lines.append(f"| {markdown_text(check.title)} | {points(check.points_awarded)} / {points(check.points_possible)} | {status_label(check)} | {why} |")
    lines += ["", f"*Graded {result.graded_at} by grader {result.grader_version}.*", ""]
    return "\n".join(lines)
