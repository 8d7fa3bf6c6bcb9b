"""The student's feedback report as one self-contained HTML file (no external assets, readable on a phone).

The markup is ``grader/templates/reports/student.html.j2``, autoescaped: every piece of text a student
controls (output, error messages, names) reaches the page as text. Figures are embedded as ``data:``
images, a PNG or an SVG the browser loads as an image (so it can run no script); which data may become
such a URL is decided here, in Python, never in a template.
"""

from __future__ import annotations

import base64
import re

from grader import templates
from grader.reports.text import essential_error, late_note, points, run_summary, status_label
from grader.results import Figure, SubmissionResult

BASE64 = re.compile(r"[A-Za-z0-9+/=\s]+")


def figure_source(figure: Figure) -> str | None:
    """The figure as a data: URL, or None when it holds no picture the report can embed safely."""
    if figure.png_base64 and BASE64.fullmatch(figure.png_base64):
        return "data:image/png;base64," + re.sub(r"\s+", "", figure.png_base64)
    if figure.svg:
        return "data:image/svg+xml;base64," + base64.b64encode(figure.svg.encode("utf-8")).decode("ascii")
    return None


# What the check rows (templates/reports/checks.html.j2) call; the self-check fragment passes them too.
CHECK_HELPERS = {"points": points, "status_label": status_label, "figure_source": figure_source}


def render_html(result: SubmissionResult, title: str) -> str:
    return templates.render(
        "reports/student.html.j2",
        result=result,
        title=title,
        late=late_note(result),
        notes=run_summary(result),
        essential_error=essential_error,
        **CHECK_HELPERS,
    )
