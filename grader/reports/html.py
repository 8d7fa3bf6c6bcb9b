"""The student's feedback report as one self-contained HTML file (no external assets, readable on a phone)."""

from __future__ import annotations

from html import escape

from grader.reports.text import STATUS_LABEL, points, run_summary
from grader.results import SubmissionResult

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;margin:auto;padding:1rem;color:#1d1d1f;line-height:1.45}
h1{font-size:1.4rem}.score{font-size:1.2rem;margin:.5rem 0 1rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.45rem;text-align:left;vertical-align:top}
.status{font-weight:600;white-space:nowrap}.passed{color:#146c2e}.failed,.error{color:#b3261e}.partial{color:#8a5a00}.pending{color:#555}
.hint{color:#555;font-style:italic}.notes li{margin:.2rem 0}
@media (max-width:40rem){thead{display:none}td{display:block;border:none;padding:.15rem 0}tr{display:block;border-bottom:1px solid #ddd;padding:.5rem 0}}
"""


def render_html(result: SubmissionResult, title: str) -> str:
    rows = []
    for check in result.checks:
        hint = f'<div class="hint">Hint: {escape(check.hint)}</div>' if check.hint else ""
        rows.append(
            f'<tr><td>{escape(check.title)}</td><td>{points(check.points_awarded)} / {points(check.points_possible)}</td>'
            f'<td class="status {check.status.value}">{STATUS_LABEL[check.status]}</td><td>{escape(check.reason)}{hint}</td></tr>'
        )
    notes = "".join(f"<li>{escape(line)}</li>" for line in run_summary(result))
    pending = f" ({points(result.pending_points)} points still to be graded by a TA)" if result.pending_points else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{escape(title)} - {escape(result.student)}</title><style>{STYLE}</style></head>
<body><h1>{escape(title)}</h1>
<div class="score">{escape(result.student)}: <strong>{points(result.score)} / {points(result.max_score)}</strong>{pending}</div>
{f'<h2>How your notebook ran</h2><ul class="notes">{notes}</ul>' if notes else ''}
<h2>Checks</h2>
<table><thead><tr><th>Check</th><th>Points</th><th>Result</th><th>Why</th></tr></thead><tbody>
{''.join(rows)}
</tbody></table>
<p class="hint">Graded {escape(result.graded_at)} by grader {escape(result.grader_version)}.</p>
</body></html>
"""
