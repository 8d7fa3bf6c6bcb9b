"""Load and sanitize a submitted notebook: the first stage, before anything runs.

Reads at most ``MAX_NOTEBOOK_BYTES``, requires JSON in nbformat 4, validates it, drops outputs and
execution counts (a student's stored outputs prove nothing), and keeps cell tags, which scope checks.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from grader.errors import NotebookError

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024


def load_notebook(path: Path) -> tuple[NotebookNode, str]:
    """The sanitized notebook and the SHA256 of the file; NotebookError with a one-line reason otherwise."""
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"{path}: notebook is {size // 1_000_000} MB, over the {MAX_NOTEBOOK_BYTES // 1_000_000} MB limit")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotebookError(f"{path}: no such notebook") from None
    except IsADirectoryError:
        raise NotebookError(f"{path}: is a folder, not a notebook") from None
    except OSError as problem:
        raise NotebookError(f"{path}: cannot read ({problem.strerror})") from None
    digest = hashlib.sha256(raw).hexdigest()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise NotebookError(f"{path}: not a notebook (invalid JSON: {problem})") from None
    if not isinstance(data, dict) or "nbformat" not in data:
        raise NotebookError(f"{path}: not a notebook (no nbformat field)")
    if data["nbformat"] != 4:
        raise NotebookError(f"{path}: nbformat {data['nbformat']} is not supported; open it in Jupyter and save it as nbformat 4")
    try:
        notebook = nbformat.reads(raw.decode("utf-8"), as_version=nbformat.NO_CONVERT)  # also joins line lists
        nbformat.validate(notebook)
    except (nbformat.ValidationError, AttributeError, TypeError, KeyError) as problem:
        message = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
        raise NotebookError(f"{path}: not a valid nbformat 4 notebook ({message})") from None
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return notebook, digest


def file_digest(path: Path) -> str | None:
    """SHA256 of a submission file as it is (also for files that are not valid notebooks), or None if unreadable."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    except OSError:
        return None


def code_cells(notebook: NotebookNode) -> list[tuple[int, list[str], str]]:
    """(index, tags, source) of every code cell, for static checks and reports."""
    return [
        (index, list(cell.get("metadata", {}).get("tags", [])), cell.source)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
    ]
