"""Cross-references a rubric makes into its staff code, checked when the rubric loads.

A rubric names functions in ``probes.py`` (probes), in ``judges.py`` (input makers, formulas, test
functions) and keys of the dicts the probes return (``field``). A misspelled name used to pass loading
and surface later as a per-student "grader failed" or a dead batch; here it is one line naming the
rubric file, the field path and the name, with the closest existing name when there is one.

``probes.py`` is read by its syntax tree, never imported: it is written to run in a student's kernel
and may import what the host lacks. ``judges.py`` is already imported by the loader, so its names are
looked up on the module, which also sees names it imports or builds.
"""

from __future__ import annotations

import ast
import difflib
from pathlib import Path
from types import ModuleType

from grader.errors import RubricError
from grader.rubric.models import Rubric


def _did_you_mean(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def probe_functions(source: str) -> dict[str, ast.FunctionDef]:
    """Top-level functions of probes.py, by name."""
    tree = ast.parse(source)
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def returned_keys(function: ast.FunctionDef) -> set[str] | None:
    """The keys a probe's result can have, when every ``return`` is a dict literal with constant keys.

    ``None`` means "cannot tell" (a variable, a call, a ``**`` spread): then fields are not checked.
    """
    keys: set[str] = set()
    returns = [node for node in ast.walk(function) if isinstance(node, ast.Return)]
    if not returns:
        return None
    for node in returns:
        value = node.value
        if not isinstance(value, ast.Dict):
            return None
        for key in value.keys:
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                return None
            keys.add(key.value)
    return keys


def check_references(rubric: Rubric, rubric_path: Path, probes_source: str, staff: ModuleType | None) -> None:
    """Raise ``RubricError`` (one line) for the first name the rubric uses that its staff code lacks."""
    try:
        functions = probe_functions(probes_source)
    except SyntaxError as problem:
        raise RubricError(f"{rubric_path.with_suffix('')}/probes.py: line {problem.lineno}: {problem.msg}") from None
    for name, spec in rubric.probes.items():
        function = spec.function or name
        if function not in functions:
            field = f"probes.{name}.function" if spec.function else f"probes.{name}"
            raise RubricError(f"{rubric_path}: {field}: probes.py defines no function {function!r}{_did_you_mean(function, set(functions))}")

    staff_names = {name for name in dir(staff) if callable(getattr(staff, name))} if staff is not None else set()
    wanted: list[tuple[str, str]] = [(f"probes.{name}.inputs", spec.inputs) for name, spec in rubric.probes.items() if spec.inputs]
    for check in rubric.checks:
        wanted.extend((f"checks[{check.id}].{field}", value) for field, value in check.staff_functions().items())
    for where, name in wanted:
        if name not in staff_names:
            has = "judges.py defines no function" if staff is not None else "there is no judges.py to define"
            raise RubricError(f"{rubric_path}: {where}: {has} {name!r}{_did_you_mean(name, staff_names)}")

    for check in rubric.checks:
        for probe, fields in check.probe_fields().items():
            declared = rubric.probes.get(probe)
            if declared is None:
                continue  # an undeclared probe is refused by the model itself
            keys = returned_keys(functions[declared.function or probe])
            if keys is None:
                continue  # its keys cannot be read from the source: nothing to check
            for field in sorted(fields - keys):
                raise RubricError(f"{rubric_path}: checks[{check.id}].field: probe {probe!r} returns no key {field!r} (it returns {', '.join(sorted(keys))}){_did_you_mean(field, keys)}")
