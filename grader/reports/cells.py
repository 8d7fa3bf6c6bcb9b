"""The excerpt of the student's failing cell that the report shows (made from data: the run and the code cells)."""

from __future__ import annotations

from grader.results import CellExcerpt, CellStatus, RunRecord

EXCERPT_LINES = 15


def failing_cell(run: RunRecord | None, code_cells: list[tuple[int, list[str], str]], lines: int = EXCERPT_LINES) -> CellExcerpt | None:
    """The first cell that raised, timed out or killed the kernel, its source cut to its first lines."""
    if run is None:
        return None
    sources = {index: (tags, source) for index, tags, source in code_cells}
    for cell in run.cells:
        if cell.status in (CellStatus.ok, CellStatus.skipped) or cell.index not in sources:
            continue
        tags, source = sources[cell.index]
        source_lines = source.splitlines()
        return CellExcerpt(
            index=cell.index,
            tags=tags,
            source="\n".join(source_lines[:lines]),
            hidden_lines=max(0, len(source_lines) - lines),
            error=cell.error,
        )
    return None
