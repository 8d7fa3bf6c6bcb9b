"""The class dashboard: one self-contained HTML page per batch, for the TAs.

Score distribution (inline SVG), pass rate per check, submissions that errored or timed out and why,
the slowest submissions, and every student with a link to their report (``<student>.html`` beside it).
No external assets; one small inline script filters the student table.
"""

from __future__ import annotations

import statistics
from html import escape
from urllib.parse import quote

from grader.lms.roster import Roster
from grader.reports.html import STYLE
from grader.reports.text import STATUS_LABEL, essential_error, lost_points, points, report_name
from grader.results import AWAITING_TA, CheckStatus, RunStatus, SubmissionResult

BINS = 10
SLOWEST = 10

DASHBOARD_STYLE = STYLE.replace("max-width:60rem", "max-width:72rem") + """
.cards{display:flex;flex-wrap:wrap;gap:.6rem}.card{border:1px solid #ddd;border-radius:8px;padding:.5rem .8rem;min-width:8rem}
.card b{display:block;font-size:1.3rem}.bar{background:#e8eef7;border-radius:3px;height:.9rem;min-width:6rem}
.bar span{display:block;height:100%;background:#3b6fb6;border-radius:3px}svg{max-width:100%;height:auto}
input[type=search]{width:100%;max-width:24rem;padding:.4rem;margin:.3rem 0;font-size:1rem}
td.num,th.num{text-align:right;white-space:nowrap}
"""

FILTER_SCRIPT = """
document.getElementById('filter').addEventListener('input', function (event) {
  var needle = event.target.value.toLowerCase();
  document.querySelectorAll('#students tbody tr').forEach(function (row) {
    row.hidden = needle !== '' && row.textContent.toLowerCase().indexOf(needle) < 0;
  });
});
"""


def percent(result: SubmissionResult) -> float:
    return 100.0 * result.score / result.max_score if result.max_score else 0.0


def histogram_svg(results: list[SubmissionResult]) -> str:
    """Counts of scores in ten bins of 10 % of the maximum, as an inline SVG bar chart."""
    counts = [0] * BINS
    for result in results:
        counts[min(BINS - 1, int(percent(result) // (100 / BINS)))] += 1
    width, height, left, bottom, top = 640, 240, 36, 28, 18
    bar = (width - left - 8) / BINS
    tallest = max(counts) or 1
    parts = [
        f'<svg role="img" aria-label="Score distribution" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui,sans-serif" font-size="11">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 8}" y2="{height - bottom}" stroke="#888"/>',
    ]
    for index, count in enumerate(counts):
        x = left + index * bar
        tall = (height - bottom - top) * count / tallest
        y = height - bottom - tall
        parts.append(f'<rect x="{x + 3:.1f}" y="{y:.1f}" width="{bar - 6:.1f}" height="{tall:.1f}" fill="#3b6fb6"><title>{count} between {index * 10} % and {(index + 1) * 10} %</title></rect>')
        if count:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle" fill="#555">{index * 10}–{(index + 1) * 10}</text>')
    parts.append(f'<text x="{left + (width - left) / 2:.1f}" y="{height - 2}" text-anchor="middle" fill="#555">score, % of the maximum</text>')
    parts.append(f'<text x="4" y="{top - 4}" fill="#555">students</text></svg>')
    return "".join(parts)


def check_rows(results: list[SubmissionResult]) -> str:
    """Per check: share of the graded submissions that passed it, and the mean points."""
    order: dict[str, tuple[str, str]] = {}
    tally: dict[str, list] = {}
    for result in results:
        for check in result.checks:
            order.setdefault(check.check_id, (check.title, check.visibility))
            tally.setdefault(check.check_id, []).append(check)
    rows = []
    for check_id, (title, visibility) in order.items():
        checks = tally[check_id]
        pending = sum(1 for c in checks if c.status == CheckStatus.pending)
        review = sum(1 for c in checks if c.status == CheckStatus.review)
        scored = [c for c in checks if c.status not in AWAITING_TA]
        passed = sum(1 for c in scored if c.status == CheckStatus.passed)
        rate = 100.0 * passed / len(scored) if scored else 0.0
        mean = f"{points(round(statistics.fmean(c.points_awarded for c in scored), 2))} / {points(checks[0].points_possible)}" if scored else "—"
        shown = f"{rate:.0f} % ({passed}/{len(scored)})" if scored else "—"
        note = (f" · {pending} to grade by hand" if pending else "") + (f" · {review} to review (the grader could not decide)" if review else "")
        rows.append(
            f'<tr><td>{escape(title)}<div class="hint">{escape(check_id)} · {escape(visibility)}{note}</div></td>'
            f'<td><div class="bar" title="{rate:.0f} %"><span style="width:{rate:.1f}%"></span></div></td>'
            f'<td class="num">{shown}</td><td class="num">{mean}</td></tr>'
        )
    return "".join(rows)


def problem(result: SubmissionResult) -> str | None:
    """Why a submission did not run through, in one line, or None when it did."""
    if not result.graded:
        return f"not graded: {result.error}"
    if result.run and result.run.status != RunStatus.completed:
        return f"{result.run.status.value}: {result.run.reason or 'no reason recorded'}"
    bad = [c for c in (result.run.cells if result.run else []) if c.status.value in ("timeout", "kernel_died")]
    if bad:
        return f"cell {bad[0].index + 1} {bad[0].status.value.replace('_', ' ')}: {essential_error(bad[0].error)}"
    return None


def student_link(result: SubmissionResult) -> str:
    return f'<a href="{escape(quote(report_name(result.student)))}.html">{escape(result.student)}</a>'


def render_dashboard(results: list[SubmissionResult], title: str, roster: Roster | None = None) -> str:
    results = sorted(results, key=lambda r: r.student)
    graded = [r for r in results if r.graded]
    scores = [r.score for r in graded]
    maximum = max((r.max_score for r in results), default=0.0)
    problems = [(r, problem(r)) for r in results if problem(r)]
    slowest = sorted(results, key=lambda r: -r.duration_s)[:SLOWEST]
    late = [r for r in results if r.days_late]
    cards = [
        ("submissions", str(len(results))),
        ("graded", str(len(graded))),
        ("mean score", f"{statistics.fmean(scores):.1f} / {points(maximum)}" if scores else "—"),
        ("median score", f"{statistics.median(scores):g} / {points(maximum)}" if scores else "—"),
        ("problems", str(len(problems))),
        ("late", str(len(late))),
    ]
    problem_rows = "".join(f"<tr><td>{student_link(r)}</td><td>{escape(why)}</td></tr>" for r, why in problems) or '<tr><td colspan="2">None: every notebook ran through.</td></tr>'
    slow_rows = "".join(
        f'<tr><td>{student_link(r)}</td><td class="num">{r.duration_s:.1f} s</td><td>{escape(r.run.status.value if r.run else "not run")}</td></tr>' for r in slowest
    )
    student_rows = []
    for r in results:
        entry = roster.get(r.student) if roster else None
        lost = ", ".join(c.check_id for c in r.checks if lost_points(c))
        review = [c.check_id for c in r.checks if c.status == CheckStatus.review]
        pending = sum(1 for c in r.checks if c.status == CheckStatus.pending)
        status = f"{STATUS_LABEL[CheckStatus.review]}: {', '.join(review)}" if review else STATUS_LABEL[CheckStatus.pending] if pending else ("ok" if not problem(r) else "problem")
        student_rows.append(
            f'<tr><td>{student_link(r)}</td><td>{escape(entry.name or "") if entry else ""}</td>'
            f'<td class="num">{points(r.score)} / {points(r.max_score)}</td><td>{"late " + points(r.days_late) + " d" if r.days_late else ""}</td>'
            f"<td>{escape(status)}</td><td>{escape(lost)}</td></tr>"
        )
    latest = max((r.graded_at for r in results), default="")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{escape(title)} - class dashboard</title><style>{DASHBOARD_STYLE}</style></head>
<body><h1>{escape(title)}: class dashboard</h1>
<div class="cards">{''.join(f'<div class="card"><b>{escape(value)}</b>{escape(label)}</div>' for label, value in cards)}</div>
<h2>Score distribution</h2>
{histogram_svg(graded)}
<h2>Pass rate per check</h2>
<table><thead><tr><th>Check</th><th>Passed</th><th class="num">Rate</th><th class="num">Mean points</th></tr></thead><tbody>{check_rows(graded)}</tbody></table>
<h2>Submissions that errored or timed out</h2>
<table><thead><tr><th>Student</th><th>What happened</th></tr></thead><tbody>{problem_rows}</tbody></table>
<h2>Slowest submissions</h2>
<table><thead><tr><th>Student</th><th class="num">Time</th><th>Run</th></tr></thead><tbody>{slow_rows}</tbody></table>
<h2>Students</h2>
<input type="search" id="filter" placeholder="Filter students" aria-label="Filter students">
<table id="students"><thead><tr><th>Student</th><th>Name</th><th class="num">Score</th><th>Late</th><th>Status</th><th>Lost points on</th></tr></thead>
<tbody>{''.join(student_rows)}</tbody></table>
<p class="hint">Latest result {escape(latest)}. Each student's report is in this folder as &lt;student&gt;.html.</p>
<script>{FILTER_SCRIPT}</script>
</body></html>
"""
