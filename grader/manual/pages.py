"""One HTML page per manual item: the prompt, then every student's answer cells, to read beside the sheet.

Answers are the student's cells tagged with the item's ``exercise`` (all markdown cells when the item
names none), shown as text: a student's Markdown or HTML never renders or runs here (the markup is
``grader/templates/manual/item.html.j2``, autoescaped).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader import templates
from grader.reports.text import points


@dataclass
class Answer:
    """One student's cells for one manual item, or why there are none."""

    student: str
    cells: list[tuple[int, str, str]] = field(default_factory=list)  # (index, cell_type, source)
    problem: str | None = None
    points: float | None = None
    comment: str = ""


@dataclass
class Item:
    """A manual rubric item as the page shows it."""

    check_id: str
    title: str
    points: float
    prompt: str
    exercise: str | None


def answer_cells(notebook, exercise: str | None) -> list[tuple[int, str, str]]:
    """(index, cell_type, source) of the cells tagged with the exercise (all markdown cells when it is None)."""
    found = []
    for index, cell in enumerate(notebook.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if (exercise in tags) if exercise else cell.cell_type == "markdown":
            found.append((index, cell.cell_type, cell.source))
    return found


def render_item_page(item: Item, answers: list[Answer], assignment_title: str, sheet_name: str) -> str:
    return templates.render("manual/item.html.j2", item=item, answers=answers, assignment_title=assignment_title, sheet_name=sheet_name, points=points)
