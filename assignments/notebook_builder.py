"""Building assignment notebooks from named cells: the reference, the template and samples derived from it.

Used by ``assignments/<id>/make_notebooks.py``::

    cells = [md("intro", INTRO), code("ex1-code", EX1_CODE, "ex1"), ...]    # the reference solution
    template = derive(cells, replace={"ex1-code": STUB})                     # what students get
    edit(sample, "ex1-code", "return 2 * x", "return x")                     # a sample with one mistake
    write(cells, path)                                                       # nbformat v4.5, no outputs
    write(with_self_checks(template, "pw06-mlp"), path)                      # + grader.check("exN") cells

Every cell has a stable key, used as its notebook cell id, so regenerating gives identical files. Exercise
cells carry one tag (``ex1``, ``ex2``, ...): the grader points at failing cells by tag.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import v4


@dataclass
class Cell:
    key: str  # stable name used to address the cell when deriving variants (also the cell id)
    kind: str  # "markdown" or "code"
    source: str
    tags: list[str] = field(default_factory=list)


def md(key: str, source: str, tag: str | None = None) -> Cell:
    return Cell(key, "markdown", source.strip("\n"), [tag] if tag else [])


def code(key: str, source: str, tag: str | None = None) -> Cell:
    return Cell(key, "code", source.strip("\n"), [tag] if tag else [])


def index(cells: list[Cell], key: str) -> int:
    for position, cell in enumerate(cells):
        if cell.key == key:
            return position
    raise KeyError(key)


def replace(cells: list[Cell], key: str, source: str) -> None:
    cells[index(cells, key)].source = source.strip("\n")


def edit(cells: list[Cell], key: str, old: str, new: str, count: int = 1) -> None:
    """Replace text inside one cell; the text must occur exactly ``count`` times (a stale edit fails loudly)."""
    cell = cells[index(cells, key)]
    found = cell.source.count(old)
    assert found == count, f"{key}: expected {count} occurrence(s) of {old!r}, found {found}"
    cell.source = cell.source.replace(old, new)


def insert_after(cells: list[Cell], key: str, new_cell: Cell) -> None:
    cells.insert(index(cells, key) + 1, new_cell)


def derive(cells: list[Cell], replace_sources: dict[str, str]) -> list[Cell]:
    """A copy of the cells with some sources replaced (e.g. solutions by stubs)."""
    derived = copy.deepcopy(cells)
    for key, source in replace_sources.items():
        replace(derived, key, source)
    return derived


SELF_CHECK = 'import grader\ngrader.check("{exercise}")  # the public checks of {exercise} on what you have run; not your grade'


def with_self_checks(cells: list[Cell], assignment_id: str) -> list[Cell]:
    """The template with a self-check cell after each exercise that has public checks (a no-op while grading)."""
    from grader.rubric import load_assignment

    checked = copy.deepcopy(cells)
    for exercise in load_assignment(assignment_id, Path(__file__).resolve().parents[1]).rubric.public_exercises():
        last = max(position for position, cell in enumerate(checked) if exercise in cell.tags)
        checked.insert(last + 1, Cell(f"check-{exercise}", "code", SELF_CHECK.format(exercise=exercise)))
    return checked


def to_notebook(cells: list[Cell]) -> nbformat.NotebookNode:
    notebook = v4.new_notebook()
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    notebook.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    keys = [cell.key for cell in cells]
    assert len(set(keys)) == len(keys), "cell keys must be unique"
    for cell in cells:
        metadata = {"tags": list(cell.tags)} if cell.tags else {}
        if cell.kind == "markdown":
            node = v4.new_markdown_cell(cell.source, metadata=metadata)
        else:
            node = v4.new_code_cell(cell.source, metadata=metadata)
            node.outputs, node.execution_count = [], None
        node.id = cell.key
        notebook.cells.append(node)
    nbformat.validate(notebook)
    return notebook


def write(cells: list[Cell], path: Path, repo: Path | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(to_notebook(copy.deepcopy(cells)), str(path), version=4)
    print("wrote", path.relative_to(repo) if repo else path)
