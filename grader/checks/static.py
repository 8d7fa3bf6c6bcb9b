"""``static``: required / forbidden APIs in the student's code, found by parsing it, not by regex.

Import aliases are resolved over the whole notebook (``import tensorflow as tf`` in a setup cell makes
``tf.keras.layers.Dense`` in an ``ex3`` cell read as ``tensorflow.keras.layers.Dense``), and so are the
indirect spellings a student might try: ``getattr(tf, "keras")``, ``__import__("keras")`` and
``importlib.import_module("keras")`` with constant strings. Example::

    - id: ex3-no-keras
      kind: static
      cells: [ex3]
      forbidden: [tensorflow.keras, keras, tensorflow.python.keras]
"""

from __future__ import annotations

import ast
from typing import Iterable, Literal

from pydantic import Field

from grader.checks.base import CheckBase, CheckNotRun, Evidence, Verdict


def _strip_magics(source: str) -> str:
    # IPython magics and shell escapes are not Python; they cannot hide API use, so blank them.
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def parse_cell(source: str) -> ast.Module | None:
    try:
        return ast.parse(_strip_magics(source))
    except SyntaxError:
        return None


def collect_aliases(trees: Iterable[ast.Module]) -> dict[str, str]:
    """Local name -> fully qualified module path, from every import in the notebook."""
    aliases: dict[str, str] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        aliases[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, aliases)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Call) and _is_getattr(node):
        base = _dotted(node.args[0], aliases)
        return f"{base}.{node.args[1].value}" if base else None
    return None


def _is_getattr(node: ast.Call) -> bool:
    return (
        isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) >= 2
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    )


def used_names(tree: ast.Module, aliases: dict[str, str]) -> set[str]:
    """Every fully qualified name the code imports or touches."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, (ast.Attribute, ast.Name)) or (isinstance(node, ast.Call) and _is_getattr(node)):
            dotted = _dotted(node, aliases)
            if dotted:
                names.add(dotted)
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            callee = _dotted(node.func, aliases)
            if callee in {"__import__", "importlib.import_module"}:
                names.add(node.args[0].value)
    return names


def matches(name: str, api: str) -> bool:
    return name == api or name.startswith(api + ".")


class StaticCheck(CheckBase):
    """APIs that must (or must not) appear in the student's code, scoped to tagged cells."""

    kind: Literal["static"] = Field("static", description="Check kind.")
    cells: list[str] | None = Field(None, description="Cell tags the check looks at (e.g. [ex3]); all code cells when omitted.")
    forbidden: list[str] = Field(default_factory=list, description="Fully qualified APIs or modules that must not be used (prefix match: 'tensorflow.keras' covers its members).")
    required: list[str] = Field(default_factory=list, description="Fully qualified APIs that must be used at least once.")

    def evaluate(self, evidence: Evidence) -> Verdict:
        parsed = [(index, tags, parse_cell(source)) for index, tags, source in evidence.code_cells]
        aliases = collect_aliases(tree for _, _, tree in parsed if tree is not None)
        scoped = [(index, tags, tree) for index, tags, tree in parsed if self.cells is None or set(tags) & set(self.cells)]
        scope = f"cells tagged {', '.join(self.cells)}" if self.cells else "your code"
        if not scoped:
            raise CheckNotRun(f"No code cells tagged {', '.join(self.cells or [])} were found; keep the template's exercise cells.")
        unparsable = [index for index, _, tree in scoped if tree is None]
        if unparsable:
            raise CheckNotRun(f"Cell {unparsable[0] + 1} is not valid Python, so it could not be inspected.")
        violations: list[str] = []
        found: set[str] = set()
        for index, _, tree in scoped:
            names = used_names(tree, aliases)
            found |= names
            for api in self.forbidden:
                hits = sorted(name for name in names if matches(name, api))
                if hits:
                    violations.append(f"cell {index + 1} uses {hits[0]}")
        missing = [api for api in self.required if not any(matches(name, api) for name in found)]
        problems = []
        if violations:
            problems.append(f"{'; '.join(violations)}, which is not allowed here ({', '.join(self.forbidden)})")
        if missing:
            problems.append(f"{scope} must use {', '.join(missing)}")
        if problems:
            return Verdict(0.0, f"In {scope}: " + "; ".join(problems) + ".", {"violations": len(violations), "missing": len(missing)})
        rules = ([f"no {', '.join(self.forbidden)}"] if self.forbidden else []) + ([f"uses {', '.join(self.required)}"] if self.required else [])
        return Verdict(1.0, f"{scope.capitalize()} follow the rules ({'; '.join(rules)}).")
