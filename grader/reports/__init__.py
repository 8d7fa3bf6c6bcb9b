"""Reports take results (data) and render them: per-student Markdown, HTML and JSON; the class dashboard; terminal tables."""

from __future__ import annotations

from pathlib import Path

from grader.lms.roster import Roster
from grader.reports.cells import failing_cell
from grader.reports.dashboard import render_dashboard
from grader.reports.html import render_html
from grader.reports.markdown import render_markdown
from grader.reports.terminal import render_check, render_table
from grader.reports.text import report_name
from grader.results import SubmissionResult


def _replace(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def write_student_reports(result: SubmissionResult, folder: Path, title: str) -> Path:
    """Write <student>.json, .md and .html into folder (named by ``report_name``); return the HTML path."""
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / report_name(result.student)
    for suffix, text in ((".json", result.model_dump_json(indent=2)), (".md", render_markdown(result, title)), (".html", render_html(result, title))):
        _replace(base.with_name(base.name + suffix), text)
    return base.with_name(base.name + ".html")


def write_dashboard(results: list[SubmissionResult], folder: Path, title: str, roster: Roster | None = None) -> Path:
    """Write the class dashboard as folder/index.html (the student reports sit beside it)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.html"
    _replace(path, render_dashboard(results, title, roster))
    return path


__all__ = ["failing_cell", "render_check", "render_dashboard", "render_html", "render_markdown", "render_table", "report_name", "write_dashboard", "write_student_reports"]
