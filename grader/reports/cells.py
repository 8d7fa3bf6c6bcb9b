"""The excerpt of the student's failing cell that the report shows (made from data: the run and the code cells).

The source is the student's: it is cut to its first ``EXCERPT_LINES`` lines, each line to ``LINE_CHARS``
characters and the whole to ``EXCERPT_CHARS``, every cut marked, so one 8 MB line cannot make every
report (Markdown, HTML, JSON) 8 MB.
"""

from __future__ import annotations

from grader.results import CellExcerpt, CellStatus, RunRecord

EXCERPT_LINES = 15
LINE_CHARS = 200
EXCERPT_CHARS = 3000


def cut_line(line: str, limit: int = LINE_CHARS) -> str:
    return line if len(line) <= limit else f"{line[:limit]} … ({len(line) - limit} more characters)"


def excerpt_source(source: str, lines: int = EXCERPT_LINES) -> tuple[str, int]:
    """The first lines of ``source`` within the caps, and how many lines were left out."""
    source_lines = source.splitlines()
    kept: list[str] = []
    used = 0
    for line in source_lines[:lines]:
        line = cut_line(line)
        if used + len(line) > EXCERPT_CHARS:
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept), len(source_lines) - len(kept)


def failing_cell(run: RunRecord | None, code_cells: list[tuple[int, list[str], str]], lines: int = EXCERPT_LINES) -> CellExcerpt | None:
    """The first cell that raised, timed out or killed the kernel, its source cut to its first lines."""
    if run is None:
        return None
    sources = {index: (tags, source) for index, tags, source in code_cells}
    for cell in run.cells:
        if cell.status in (CellStatus.ok, CellStatus.skipped) or cell.index not in sources:
            continue
        tags, source = sources[cell.index]
        shown, hidden = excerpt_source(source, lines)
        return CellExcerpt(index=cell.index, tags=tags, source=shown, hidden_lines=hidden, error=cell.error)
    return None
