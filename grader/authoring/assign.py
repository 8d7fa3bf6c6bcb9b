"""``grader assign``: one source notebook with solution markers -> the student template and the reference.

Staff write ``rubrics/<id>/source.ipynb``, the reference solution with markers, as nbgrader and Otter
users do; ``grader assign <id>`` writes ``assignments/<id>/<notebook>`` (what students get) and
``reference/<id>/<notebook>`` (what ``grader validate`` must score full marks), byte for byte the same
every time, and ``grader validate`` refuses files that are not current. The markers::

    # code cells                                 <!-- markdown cells -->
    ### BEGIN SOLUTION                           <!-- BEGIN SOLUTION -->
    w = tf.Variable(...)    (reference only)     The gradient is ...  (reference only)
    ### END SOLUTION                             <!-- END SOLUTION -->
    ### BEGIN PROMPT                             <!-- BEGIN PROMPT
    # w = ...               (template only)      YOUR ANSWER HERE     (template only)
    ### END PROMPT                               END PROMPT -->

A solution block with no prompt after it becomes ``# YOUR CODE HERE`` / ``raise NotImplementedError()``
(code) or ``YOUR ANSWER HERE`` (markdown) in the template. Prompt lines in code cells are written as
comments (one ``# `` that ``assign`` strips), so the source notebook runs as the reference does. Whole
cells: the tag ``reference-only`` keeps a cell out of the template, ``template-only`` out of the
reference. After each exercise with public checks the template gets a ``grader.check("exN")`` cell.

The marker tags are dropped, outputs and execution counts cleared, cell ids kept, so diffs stay small.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader.errors import RubricError
from grader.files import replace_atomically
from grader.rubric.loading import Assignment

SOURCE_NAME = "source.ipynb"
ONLY_TAGS = {"reference-only": "reference", "template-only": "template"}
CODE_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
ANSWER_STUB = ["YOUR ANSWER HERE"]
SELF_CHECK = 'import grader\ngrader.check("{exercise}")  # the public checks of {exercise} on what you have run; not your grade'

_CODE_MARK = re.compile(r"^(\s*)### (BEGIN|END) (SOLUTION|PROMPT)\s*$")
_MARKDOWN_MARK = re.compile(r"^(\s*)(?:<!-- (BEGIN|END) SOLUTION -->|<!-- (BEGIN) PROMPT|(END) PROMPT -->)\s*$")


class MarkerError(ValueError):
    """Markers that do not pair up; the message names the line."""


@dataclass
class Generated:
    """The two notebooks ``assign`` makes, as the bytes written to disk."""

    template: bytes
    reference: bytes


def _mark(line: str, kind: str) -> tuple[str, str, str] | None:
    """(indent, BEGIN|END, SOLUTION|PROMPT) when the line is a marker."""
    if kind == "code":
        match = _CODE_MARK.match(line)
        return (match.group(1), match.group(2), match.group(3)) if match else None
    match = _MARKDOWN_MARK.match(line)
    if not match:
        return None
    if match.group(2):
        return match.group(1), match.group(2), "SOLUTION"
    return match.group(1), match.group(3) or match.group(4), "PROMPT"


def _uncomment(line: str, indent: str) -> str:
    body = line[len(indent) :] if line.startswith(indent) else line.lstrip()
    if body.startswith("# "):
        return indent + body[2:]
    if body.rstrip() == "#" or not body.strip():
        return ""
    raise MarkerError(f"prompt line {line.strip()!r} is not a comment (write prompt code as '# ...' so the source runs)")


def split_source(source: str, kind: str) -> tuple[str, str]:
    """(template, reference) text of one cell."""
    template: list[str] = []
    reference: list[str] = []
    block: str | None = None  # inside SOLUTION or PROMPT
    indent = ""
    pending_stub: list[str] | None = None  # a solution's stub, unless a prompt follows at once
    for number, line in enumerate(source.split("\n"), start=1):
        mark = _mark(line, kind)
        if mark is not None:
            mark_indent, edge, what = mark
            if edge == "BEGIN":
                if block is not None:
                    raise MarkerError(f"line {number}: BEGIN {what} inside an open {block} block")
                if what == "SOLUTION" and pending_stub is not None:
                    template.extend(pending_stub)
                if what == "PROMPT":
                    pending_stub = None  # the prompt replaces the stub
                block, indent = what, mark_indent
            else:
                if block != what:
                    raise MarkerError(f"line {number}: END {what} without BEGIN {what}")
                if what == "SOLUTION":
                    stub = CODE_STUB if kind == "code" else ANSWER_STUB
                    pending_stub = [indent + text for text in stub]
                block = None
            continue
        if block != "PROMPT" and pending_stub is not None:
            template.extend(pending_stub)
            pending_stub = None
        if block == "SOLUTION":
            reference.append(line)
        elif block == "PROMPT":
            template.append(_uncomment(line, indent) if kind == "code" else line)
        else:
            template.append(line)
            reference.append(line)
    if block is not None:
        raise MarkerError(f"BEGIN {block} is never closed")
    if pending_stub is not None:
        template.extend(pending_stub)
    return "\n".join(template), "\n".join(reference)


def _clean(cell) -> None:
    tags = [tag for tag in cell.metadata.get("tags", []) if tag not in ONLY_TAGS]
    if tags:
        cell.metadata["tags"] = tags
    else:
        cell.metadata.pop("tags", None)
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None


def _bytes(notebook) -> bytes:
    nbformat.validate(notebook)
    return (nbformat.writes(notebook, version=4) + "\n").encode("utf-8")


def generate(source_path: Path, public_exercises: list[str]) -> Generated:
    """Both notebooks from the source; ``MarkerError``/``RubricError`` name the file and the cell."""
    try:
        source = nbformat.read(str(source_path), as_version=4)
    except Exception as problem:  # noqa: BLE001 - any unreadable source is one line for staff
        raise RubricError(f"{source_path}: not a readable notebook ({type(problem).__name__}: {problem})") from None
    versions = {"template": nbformat.v4.new_notebook(), "reference": nbformat.v4.new_notebook()}
    for notebook in versions.values():
        notebook.nbformat, notebook.nbformat_minor = 4, 5
        notebook.metadata = copy.deepcopy(source.metadata)
    for position, cell in enumerate(source.cells):
        name = cell.get("id") or f"cell {position + 1}"
        only = {ONLY_TAGS[tag] for tag in cell.metadata.get("tags", []) if tag in ONLY_TAGS}
        if len(only) > 1:
            raise RubricError(f"{source_path}: cell {name}: tagged both reference-only and template-only")
        try:
            texts = dict(zip(("template", "reference"), split_source(cell.source, cell.cell_type)))
        except MarkerError as problem:
            raise RubricError(f"{source_path}: cell {name}: {problem}") from None
        for version, notebook in versions.items():
            if only and version not in only:
                continue
            made = copy.deepcopy(cell)
            made.source = texts[version]
            _clean(made)
            notebook.cells.append(made)
    template = versions["template"]
    for exercise in public_exercises:
        tagged = [position for position, cell in enumerate(template.cells) if exercise in cell.metadata.get("tags", [])]
        if tagged:
            check = nbformat.v4.new_code_cell(SELF_CHECK.format(exercise=exercise))
            check.id = f"check-{exercise}"
            check.outputs, check.execution_count = [], None
            template.cells.insert(tagged[-1] + 1, check)
    return Generated(template=_bytes(template), reference=_bytes(versions["reference"]))


def source_path(assignment: Assignment) -> Path:
    return assignment.rubric_path.with_suffix("") / SOURCE_NAME


def targets(assignment: Assignment) -> tuple[Path, Path]:
    """Where the template and the reference go."""
    return assignment.course_dir / "assignments" / assignment.id / assignment.rubric.notebook, assignment.reference_notebook


def stale(assignment: Assignment) -> list[Path]:
    """Generated files that differ from what the source makes now (empty without a source notebook)."""
    path = source_path(assignment)
    if not path.exists():
        return []
    made = generate(path, assignment.rubric.public_exercises())
    return [target for target, data in zip(targets(assignment), (made.template, made.reference)) if not target.exists() or target.read_bytes() != data]


def assign(assignment: Assignment) -> list[Path]:
    """Write the template and the reference from the source notebook; returns the paths written."""
    path = source_path(assignment)
    if not path.exists():
        raise RubricError(f"{path}: no source notebook for assignment {assignment.id!r} (write the reference with solution markers there)")
    made = generate(path, assignment.rubric.public_exercises())
    written = []
    for target, data in zip(targets(assignment), (made.template, made.reference)):
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != data:
            replace_atomically(target, data)
        written.append(target)
    return written
