"""Load and sanitize a submitted notebook: the first stage, before anything runs.

Reads at most ``MAX_NOTEBOOK_BYTES``, requires UTF-8 JSON in nbformat 4 nested at most ``MAX_DEPTH``
deep, validates it, drops outputs and execution counts (a student's stored outputs prove nothing), and
keeps cell tags, which scope checks. Whatever is wrong with the file (including the parser's own limits:
recursion, integers over Python's digit cap, lone surrogates) is a ``NotebookError`` with one line.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from grader.errors import NotebookError

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
# Real notebooks nest about 10 deep (widget state a little more); nbformat's validator recurses once per
# level, so a deeper file would stop it with RecursionError instead of a reason.
MAX_DEPTH = 64


def _check_structure(data: object, path: Path) -> None:
    """Refuse nesting deeper than MAX_DEPTH and strings that cannot be written back as UTF-8 (lone surrogates).

    Walked with an explicit stack, so the check itself cannot hit the recursion limit.
    """
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise NotebookError(f"{path}: not a notebook (a string holds an unpaired UTF-16 surrogate escape)") from None
            continue
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise NotebookError(f"{path}: not a notebook (JSON nested more than {MAX_DEPTH} levels deep)")
            items = list(value.keys()) + list(value.values()) if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)


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
        text = raw.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise NotebookError(f"{path}: not a notebook (not UTF-8 text: byte {problem.start} is invalid)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        raise NotebookError(f"{path}: not a notebook (invalid JSON: {problem})") from None
    except RecursionError:
        raise NotebookError(f"{path}: not a notebook (JSON nested more than {MAX_DEPTH} levels deep)") from None
    except ValueError:  # the one ValueError json.loads lets through: an integer over Python's digit cap
        raise NotebookError(f"{path}: not a notebook (a number has more than {sys.get_int_max_str_digits()} digits)") from None
    _check_structure(data, path)
    if not isinstance(data, dict) or "nbformat" not in data:
        raise NotebookError(f"{path}: not a notebook (no nbformat field)")
    if data["nbformat"] != 4:
        raise NotebookError(f"{path}: nbformat {data['nbformat']} is not supported; open it in Jupyter and save it as nbformat 4")
    try:
        notebook = nbformat.reads(text, as_version=nbformat.NO_CONVERT)  # also joins line lists
        nbformat.validate(notebook)
    except (nbformat.ValidationError, AttributeError, TypeError, KeyError, ValueError, RecursionError) as problem:
        message = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
        raise NotebookError(f"{path}: not a valid nbformat 4 notebook ({message})") from None
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return notebook, digest


def printable(name: str) -> str:
    """A file name as text that can be stored, reported and exported: bytes that are not UTF-8 (a file
    named on another system) are spelled ``\\xNN`` instead of crashing the first UTF-8 writer they meet."""
    try:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # surrogates that did not come from the file system's bytes
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def file_digest(path: Path) -> str | None:
    """SHA256 of a submission file as it is (also for files that are not valid notebooks), or None if unreadable."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    except OSError:
        return None


def code_cells(notebook: NotebookNode) -> list[tuple[int, list[str], str]]:
    """(index, tags, source) of every code cell, for static checks and reports."""
    return [(index, list(cell.get("metadata", {}).get("tags", [])), cell.source) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
