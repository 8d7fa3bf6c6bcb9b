"""Manual grading: pages and a sheet out, the TA's points and comments back in.

    export_manual(results, assignment, folder)        -> [<check_id>.html ..., <assignment>-manual.csv]
    import_manual(sheet, results, assignment, roster) -> the results that changed, rescored

An imported item becomes passed (full points), failed (0) or partial, with the TA's comment as the
reason; the score is recomputed from the checks with the rubric's late policy.

Automatic checks the evidence could not decide (status ``review``, e.g. a no-Keras rule over code that
picks modules at run time) travel the same way: each gets a page with the cells it looks at and a sheet
row for every student awaiting it, so their pending points are settled where the manual items are.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import InputError, NotebookError
from grader.execution.loading import load_notebook
from grader.lms.late import apply_late_policy
from grader.lms.roster import Roster
from grader.manual.pages import Answer, Item, answer_cells, render_item_page
from grader.manual.sheet import SheetRow, read_sheet, write_sheet
from grader.results import CheckResult, CheckStatus, SubmissionResult
from grader.rubric.loading import Assignment

if TYPE_CHECKING:
    from nbformat import NotebookNode

TA_DEFAULT_REASON = "Scored by a TA."


def manual_items(assignment: Assignment, results: list[SubmissionResult] | None = None) -> list[Item]:
    """The rubric's manual items, then the automatic checks awaiting a TA's review in ``results``."""
    items = [Item(c.id, c.title, c.points, getattr(c, "prompt", ""), c.exercise) for c in assignment.rubric.checks if c.kind == "manual"]
    awaiting = {c.check_id for result in results or [] for c in result.checks if c.status == CheckStatus.review}
    for check in assignment.rubric.checks:
        if check.id in awaiting:
            scope = check.exercise or (getattr(check, "cells", None) or [None])[0]
            items.append(Item(check.id, check.title, check.points, f"The grader could not decide this automatic check ({check.kind}); read the cells and score it.", scope))
    if not items:
        raise InputError(f"{assignment.rubric_path}: the rubric has no manual items, and no check awaits a TA's review")
    return items


def _awaits(result: SubmissionResult, item: Item, assignment: Assignment) -> bool:
    """Whether this student's row belongs on the sheet: every manual item, a reviewed check only where it awaits review."""
    if any(c.id == item.check_id and c.kind == "manual" for c in assignment.rubric.checks):
        return True
    return any(c.check_id == item.check_id and c.status == CheckStatus.review for c in result.checks)


def sheet_path(folder: Path, assignment_id: str) -> Path:
    return folder / f"{assignment_id}-manual.csv"


def _scored(result: SubmissionResult, check_id: str) -> CheckResult | None:
    """The manual item's result when a TA already scored it (so a new sheet keeps the work done)."""
    found = next((c for c in result.checks if c.check_id == check_id), None)
    return found if found and found.status in (CheckStatus.passed, CheckStatus.partial, CheckStatus.failed) else None


def export_manual(results: list[SubmissionResult], assignment: Assignment, folder: Path) -> list[Path]:
    """Write one page per manual item and the sheet to fill in; return their paths (sheet last)."""
    items = manual_items(assignment, results)
    notebooks: dict[str, tuple[NotebookNode | None, str | None]] = {}  # student -> (notebook, why it is unreadable)
    for result in results:
        try:
            notebooks[result.student] = (load_notebook(Path(result.notebook_path))[0], None)
        except NotebookError as problem:
            notebooks[result.student] = (None, f"The notebook could not be read: {problem}")
    sheet = sheet_path(folder, assignment.id)
    written, rows = [], []
    for item in items:
        answers = []
        for result in sorted(results, key=lambda r: r.student):
            if not _awaits(result, item, assignment):
                continue
            notebook, unreadable = notebooks[result.student]
            scored = _scored(result, item.check_id)
            answers.append(
                Answer(
                    student=result.student,
                    cells=answer_cells(notebook, item.exercise) if notebook else [],
                    problem=unreadable,
                    points=scored.points_awarded if scored else None,
                    comment=scored.reason if scored else "",
                )
            )
            rows.append((result.student, item.check_id, item.points, answers[-1].points, answers[-1].comment))
        page = folder / f"{item.check_id}.html"
        folder.mkdir(parents=True, exist_ok=True)
        page.write_text(render_item_page(item, answers, assignment.rubric.title, sheet.name), encoding="utf-8")
        written.append(page)
    written.append(write_sheet(rows, sheet))
    return written


def _merge_row(result: SubmissionResult, row: SheetRow, item: Item) -> SubmissionResult:
    assert row.points is not None  # import_manual leaves unscored rows pending
    fraction = row.points / item.points if item.points else 1.0
    status = CheckStatus.passed if fraction >= 1 else CheckStatus.failed if row.points == 0 else CheckStatus.partial
    checks = [
        c.model_copy(update={"status": status, "points_awarded": row.points, "reason": row.comment or TA_DEFAULT_REASON, "hint": None}) if c.check_id == row.check_id else c for c in result.checks
    ]
    return result.model_copy(update={"checks": checks})


def import_manual(sheet: Path, results: list[SubmissionResult], assignment: Assignment, roster: Roster | None) -> list[SubmissionResult]:
    """Merge the sheet's points and comments into the results; the changed results, rescored (late policy included)."""
    items = {item.check_id: item for item in manual_items(assignment, results)}
    by_student = {result.student: result for result in results}
    manual_ids = {c.id for c in assignment.rubric.checks if c.kind == "manual"}
    changed: dict[str, SubmissionResult] = {}
    for row in read_sheet(sheet):
        if row.student not in by_student:
            raise InputError(f"{sheet}: line {row.line}: no result for student {row.student!r} in {assignment.id}")
        item = items.get(row.check_id)
        if item is None:
            raise InputError(f"{sheet}: line {row.line}: {row.check_id!r} is not a manual item of {assignment.id} (manual items: {', '.join(items)})")
        if row.points is None:
            continue
        reviewed = next((c for c in by_student[row.student].checks if c.check_id == row.check_id), None)
        if item.check_id not in manual_ids and (reviewed is None or reviewed.status != CheckStatus.review):
            continue  # this student's check was decided by the grader: the TA's row has nothing to settle
        if not 0 <= row.points <= item.points:
            raise InputError(f"{sheet}: line {row.line}: {row.points:g} points is outside 0..{item.points:g} for {row.check_id}")
        current = changed.get(row.student, by_student[row.student])
        if not any(c.check_id == row.check_id for c in current.checks):
            raise InputError(f"{sheet}: line {row.line}: {row.student}'s result has no {row.check_id} (regrade with the current rubric first)")
        changed[row.student] = _merge_row(current, row, item)
    return [apply_late_policy(result, assignment.rubric.late_policy, roster.get(result.student) if roster else None) for result in changed.values()]


__all__ = ["export_manual", "import_manual", "manual_items", "sheet_path"]
