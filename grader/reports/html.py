"""The student's feedback report as one self-contained HTML file (no external assets, readable on a phone).

Figures are embedded as ``data:`` images: a PNG, or an SVG the browser loads as an image (so it can
run no script). Everything else is text, escaped.
"""

from __future__ import annotations

import base64
import re
from html import escape

from grader.reports.text import essential_error, late_note, points, run_summary, status_label
from grader.results import CellExcerpt, CheckResult, Figure, SubmissionResult

BASE64 = re.compile(r"[A-Za-z0-9+/=\s]+")

STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;margin:auto;padding:1rem;color:#1d1d1f;line-height:1.45}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.6rem}.score{font-size:1.2rem;margin:.5rem 0 1rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.45rem;text-align:left;vertical-align:top}
.status{font-weight:600;white-space:nowrap}.passed{color:#146c2e}.failed,.error{color:#b3261e}.partial{color:#8a5a00}.pending{color:#555}
.hint{color:#555;font-style:italic}.notes li{margin:.2rem 0}.late{color:#8a5a00}
pre{background:#f6f6f8;border:1px solid #ddd;border-radius:6px;padding:.6rem;overflow-x:auto;font-size:.85rem;margin:.4rem 0}
.cell-error{background:#fdecea;border-color:#f5c2bd;white-space:pre-wrap;overflow-wrap:anywhere}
figure{margin:.6rem 0;display:inline-block;max-width:100%;vertical-align:top}figure img{max-width:100%;height:auto;border:1px solid #ddd;border-radius:4px}
figcaption{font-size:.85rem;color:#555}.figure-title{font-weight:600;font-size:.9rem}
@media (max-width:40rem){thead{display:none}td{display:block;border:none;padding:.15rem 0}tr{display:block;border-bottom:1px solid #ddd;padding:.5rem 0}}
"""


def figure_source(figure: Figure) -> str | None:
    """The figure as a data: URL, or None when it holds no picture the report can embed safely."""
    if figure.png_base64 and BASE64.fullmatch(figure.png_base64):
        return "data:image/png;base64," + re.sub(r"\s+", "", figure.png_base64)
    if figure.svg:
        return "data:image/svg+xml;base64," + base64.b64encode(figure.svg.encode("utf-8")).decode("ascii")
    return None


def render_figures(figures: list[Figure]) -> str:
    parts = []
    for figure in figures:
        source = figure_source(figure)
        if source is None:
            continue
        caption = f"<figcaption>{escape(figure.caption)}</figcaption>" if figure.caption else ""
        parts.append(f'<figure><div class="figure-title">{escape(figure.title)}</div><img alt="{escape(figure.title)}" src="{source}">{caption}</figure>')
    return "".join(parts)


def render_failing_cell(excerpt: CellExcerpt | None) -> str:
    if excerpt is None:
        return ""
    tags = f" ({escape(', '.join(excerpt.tags))})" if excerpt.tags else ""
    more = f"\n# … {excerpt.hidden_lines} more line{'s' if excerpt.hidden_lines != 1 else ''}" if excerpt.hidden_lines else ""
    error = f'<pre class="cell-error">{escape(essential_error(excerpt.error))}</pre>' if excerpt.error else ""
    return (
        f"<h2>Where your notebook went wrong</h2><p>Cell {excerpt.index + 1}{tags}:</p>"
        f"<pre><code>{escape(excerpt.source + more)}</code></pre>{error}"
    )


def render_check_row(check: CheckResult) -> str:
    hint = f'<div class="hint">Hint: {escape(check.hint)}</div>' if check.hint else ""
    figures = render_figures(check.figures)
    return (
        f'<tr><td>{escape(check.title)}</td><td>{points(check.points_awarded)} / {points(check.points_possible)}</td>'
        f'<td class="status {check.status.value}">{status_label(check)}</td><td>{escape(check.reason)}{hint}{figures}</td></tr>'
    )


def render_html(result: SubmissionResult, title: str) -> str:
    rows = "".join(render_check_row(check) for check in result.checks)
    notes = "".join(f"<li>{escape(line)}</li>" for line in run_summary(result))
    pending = f" ({points(result.pending_points)} points still to be graded by a TA)" if result.pending_points else ""
    late = f'<p class="late">{escape(late_note(result))}</p>' if late_note(result) else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{escape(title)} - {escape(result.student)}</title><style>{STYLE}</style></head>
<body><h1>{escape(title)}</h1>
<div class="score">{escape(result.student)}: <strong>{points(result.score)} / {points(result.max_score)}</strong>{pending}</div>
{late}{f'<h2>How your notebook ran</h2><ul class="notes">{notes}</ul>' if notes else ''}
{render_failing_cell(result.failing_cell)}
<h2>Checks</h2>
<table><thead><tr><th>Check</th><th>Points</th><th>Result</th><th>Why</th></tr></thead><tbody>
{rows}
</tbody></table>
<p class="hint">Graded {escape(result.graded_at)} by grader {escape(result.grader_version)}.</p>
</body></html>
"""
