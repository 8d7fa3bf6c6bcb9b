"""Reports take results (data) and render them: per-student Markdown, HTML and JSON; terminal tables."""

from __future__ import annotations

from pathlib import Path

from grader.reports.html import render_html
from grader.reports.markdown import render_markdown
from grader.reports.terminal import render_check, render_table
from grader.results import SubmissionResult


def write_student_reports(result: SubmissionResult, folder: Path, title: str) -> Path:
    """Write <student>.json, .md and .html into folder; return the HTML path."""
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / result.student
    for suffix, text in ((".json", result.model_dump_json(indent=2)), (".md", render_markdown(result, title)), (".html", render_html(result, title))):
        temporary = base.with_name(base.name + suffix + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(base.with_name(base.name + suffix))
    return base.with_name(base.name + ".html")


__all__ = ["render_check", "render_html", "render_markdown", "render_table", "write_student_reports"]
