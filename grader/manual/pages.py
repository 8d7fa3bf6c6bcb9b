"""One HTML page per manual item: the prompt, then every student's answer cells, to read beside the sheet.

Answers are the student's cells tagged with the item's ``exercise`` (all markdown cells when the item
names none), shown as escaped text: a student's Markdown or HTML never renders or runs here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from grader.reports.html import STYLE
from grader.reports.text import points

PAGE_STYLE = STYLE + """
.answer{border:1px solid #ddd;border-radius:8px;padding:.4rem .8rem;margin:1rem 0}.answer h2{margin:.3rem 0;font-size:1rem}
.kind{font-size:.75rem;color:#555;text-transform:uppercase;letter-spacing:.04em}.markdown{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff}
.missing{color:#b3261e}
"""


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
    blocks = []
    for answer in answers:
        scored = f" · scored {points(answer.points)} / {points(item.points)}" if answer.points is not None else ""
        body = "".join(
            f'<div class="kind">cell {index + 1} · {escape(kind)}</div>'
            + (f'<pre class="markdown">{escape(source)}</pre>' if kind != "code" else f"<pre><code>{escape(source)}</code></pre>")
            for index, kind, source in answer.cells
        )
        if not answer.cells:
            body = f'<p class="missing">{escape(answer.problem or "No cell tagged " + (item.exercise or "") + " in this notebook.")}</p>'
        comment = f'<p class="hint">Comment: {escape(answer.comment)}</p>' if answer.comment else ""
        blocks.append(f'<section class="answer" id="{escape(answer.student)}"><h2>{escape(answer.student)}{scored}</h2>{body}{comment}</section>')
    where = f"cells tagged <code>{escape(item.exercise)}</code>" if item.exercise else "every markdown cell (the item names no exercise tag)"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{escape(item.title)} - manual grading</title><style>{PAGE_STYLE}</style></head>
<body><h1>{escape(assignment_title)}</h1>
<h2>{escape(item.title)} ({points(item.points)} points)</h2>
<p>{escape(item.prompt)}</p>
<p class="hint">Showing {where} for {len(answers)} students. Score them in <code>{escape(sheet_name)}</code> (columns points and comment, check_id <code>{escape(item.check_id)}</code>), then run <code>grader manual import</code>.</p>
{''.join(blocks)}
</body></html>
"""
