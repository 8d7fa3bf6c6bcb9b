"""The class dashboard: one self-contained HTML page per batch, for the TAs.

Score distribution (inline SVG), pass rate per check, submissions that errored or timed out and why,
the slowest submissions, and every student with a link to their report (``<student>.html`` beside it).
No external assets; one small inline script filters the student table. The numbers are worked out
here; the markup is ``grader/templates/reports/dashboard.html.j2``, autoescaped, so a student's name
or error message stays text.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from urllib.parse import quote

from grader import templates
from grader.lms.roster import Roster
from grader.reports.text import STATUS_LABEL, essential_error, lost_points, points, report_name
from grader.results import AWAITING_TA, CheckStatus, RunStatus, SubmissionResult

BINS = 10
SLOWEST = 10


@dataclass(frozen=True)
class Chart:
    """The histogram's frame in SVG user units: the template draws bars and labels inside it."""

    width: int = 640
    height: int = 240
    left: int = 36
    bottom: int = 28
    top: int = 18

    @property
    def baseline(self) -> int:
        return self.height - self.bottom

    @property
    def bar_width(self) -> float:
        return (self.width - self.left - 8) / BINS


@dataclass(frozen=True)
class Bar:
    """One bin of the score histogram, with its SVG geometry already rounded as it is drawn."""

    count: int
    low: int  # % of the maximum score
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class CheckRow:
    """Pass rate and mean points of one check over the graded submissions."""

    check_id: str
    title: str
    visibility: str
    rate: float
    shown: str
    mean: str
    note: str


@dataclass(frozen=True)
class StudentRow:
    result: SubmissionResult
    name: str
    status: str
    lost: str


def percent(result: SubmissionResult) -> float:
    return 100.0 * result.score / result.max_score if result.max_score else 0.0


def histogram(results: list[SubmissionResult], chart: Chart) -> list[Bar]:
    """Counts of scores in ten bins of 10 % of the maximum, scaled to the tallest bin."""
    counts = [0] * BINS
    for result in results:
        counts[min(BINS - 1, int(percent(result) // (100 / BINS)))] += 1
    tallest = max(counts) or 1
    bars = []
    for index, count in enumerate(counts):
        tall = (chart.baseline - chart.top) * count / tallest
        bars.append(Bar(count=count, low=index * 10, x=chart.left + index * chart.bar_width, y=chart.baseline - tall, height=tall))
    return bars


def check_rows(results: list[SubmissionResult]) -> list[CheckRow]:
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
        rows.append(CheckRow(check_id, title, visibility, rate, shown, mean, note))
    return rows


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


def report_link(result: SubmissionResult) -> str:
    """The student's report beside the dashboard, as a relative URL (any name is a safe path segment)."""
    return quote(report_name(result.student)) + ".html"


def student_rows(results: list[SubmissionResult], roster: Roster | None) -> list[StudentRow]:
    rows = []
    for result in results:
        entry = roster.get(result.student) if roster else None
        review = [c.check_id for c in result.checks if c.status == CheckStatus.review]
        pending = any(c.status == CheckStatus.pending for c in result.checks)
        if review:
            status = f"{STATUS_LABEL[CheckStatus.review]}: {', '.join(review)}"
        else:
            status = STATUS_LABEL[CheckStatus.pending] if pending else ("ok" if not problem(result) else "problem")
        lost = ", ".join(c.check_id for c in result.checks if lost_points(c))
        rows.append(StudentRow(result, (entry.name or "") if entry else "", status, lost))
    return rows


def render_dashboard(results: list[SubmissionResult], title: str, roster: Roster | None = None) -> str:
    results = sorted(results, key=lambda r: r.student)
    graded = [r for r in results if r.graded]
    scores = [r.score for r in graded]
    maximum = max((r.max_score for r in results), default=0.0)
    problems = [(r, problem(r)) for r in results if problem(r)]
    cards = [
        ("submissions", str(len(results))),
        ("graded", str(len(graded))),
        ("mean score", f"{statistics.fmean(scores):.1f} / {points(maximum)}" if scores else "—"),
        ("median score", f"{statistics.median(scores):g} / {points(maximum)}" if scores else "—"),
        ("problems", str(len(problems))),
        ("late", str(sum(1 for r in results if r.days_late))),
    ]
    chart = Chart()
    return templates.render(
        "reports/dashboard.html.j2",
        title=title,
        cards=cards,
        chart=chart,
        bars=histogram(graded, chart),
        check_rows=check_rows(graded),
        problems=problems,
        slowest=sorted(results, key=lambda r: -r.duration_s)[:SLOWEST],
        students=student_rows(results, roster),
        latest=max((r.graded_at for r in results), default=""),
        points=points,
        report_link=report_link,
    )
