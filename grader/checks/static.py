"""``static``: required / forbidden APIs in the student's code, found by parsing it, not by regex.

Import aliases are resolved over the whole notebook (``import tensorflow as tf`` in a setup cell makes
``tf.keras.layers.Dense`` in an ``ex3`` cell read as ``tensorflow.keras.layers.Dense``), and so are the
indirect spellings a student might try: ``getattr(tf, "keras")``, ``__import__("keras")`` and
``importlib.import_module("keras")`` with constant strings. The Keras modules TensorFlow 2 also
exposes under other names (``tf.optimizers``, ``tf.initializers``, ``tf.losses``, ``tf.metrics``) read
as ``tensorflow.keras.…``. Example::

    - id: ex3-no-keras
      kind: static
      cells: [ex3]
      forbidden: [tensorflow.keras, keras, tensorflow.python.keras]

A name computed at run time cannot be resolved by reading the code, so a checked cell that reflects
(``getattr``/``setattr``/``delattr`` with a non-constant name, ``eval``, ``exec``, ``compile``,
``__import__``, ``importlib``, ``sys.modules``, subscripts of ``globals()``/``vars()``/``locals()``
or of a ``__dict__``) is never a silent pass: a check with ``forbidden`` APIs returns *needs a TA's
review* (its points stay pending, the dashboard lists it). Limits: aliasing a module through an
ordinary variable (``k = tf``) is followed only as far as the alias tables go, and code in other
cells that the checked cells call is not inspected (scope the rule to those cells too).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Literal

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


# TensorFlow 2 re-exports these Keras modules at its top level: tf.optimizers.SGD *is* Keras' SGD.
KERAS_ALIASES = {
    "tensorflow.optimizers": "tensorflow.keras.optimizers",
    "tensorflow.initializers": "tensorflow.keras.initializers",
    "tensorflow.losses": "tensorflow.keras.losses",
    "tensorflow.metrics": "tensorflow.keras.metrics",
}
REFLECTING_CALLS = {"eval", "exec", "compile", "__import__", "importlib.import_module", "importlib.__import__"}
NAMESPACE_CALLS = {"globals", "vars", "locals"}


def canonical(name: str) -> str:
    """The name with TensorFlow's Keras aliases spelled as the Keras modules they are."""
    for alias, target in KERAS_ALIASES.items():
        if matches(name, alias):
            return target + name[len(alias) :]
    return name


def reflections(tree: ast.Module, aliases: dict[str, str]) -> list[str]:
    """Each place the code picks a module, attribute or code text at run time, in words, in source order."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Call):
            callee = _dotted(node.func, aliases)
            if callee in {"getattr", "setattr", "delattr"} and not (len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)):
                found.append((line, f"{callee}() with a computed name"))
            elif callee in REFLECTING_CALLS:
                found.append((line, f"{callee}()"))
            elif callee and matches(callee, "importlib"):
                found.append((line, callee))
        elif isinstance(node, ast.Attribute) and node.attr == "modules" and _dotted(node.value, aliases) == "sys":
            found.append((line, "sys.modules"))
        elif isinstance(node, ast.Subscript):
            target = node.value
            if isinstance(target, ast.Call) and _dotted(target.func, aliases) in NAMESPACE_CALLS:
                found.append((line, f"{_dotted(target.func, aliases)}()[...]"))
            elif isinstance(target, ast.Attribute) and target.attr == "__dict__":
                found.append((line, "__dict__[...]"))
    return [f"line {line}: {what}" for line, what in sorted(found)]


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, aliases)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Call) and (attribute := _getattr_name(node)) is not None:
        base = _dotted(node.args[0], aliases)
        return f"{base}.{attribute}" if base else None
    return None


def _getattr_name(node: ast.Call) -> str | None:
    """The attribute a ``getattr(x, "name", ...)`` call reads, or None for any other call."""
    if isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
        return node.args[1].value
    return None


def _is_getattr(node: ast.Call) -> bool:
    return _getattr_name(node) is not None


def used_names(tree: ast.Module, aliases: dict[str, str]) -> set[str]:
    """Every fully qualified name the code imports or touches."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(canonical(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(canonical(node.module))
            names.update(canonical(f"{node.module}.{alias.name}") for alias in node.names)
        elif isinstance(node, (ast.Attribute, ast.Name)) or (isinstance(node, ast.Call) and _is_getattr(node)):
            dotted = _dotted(node, aliases)
            if dotted:
                names.add(canonical(dotted))
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            callee = _dotted(node.func, aliases)
            if callee in {"__import__", "importlib.import_module"}:
                names.add(canonical(node.args[0].value))
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
        reflecting: list[str] = []
        found: set[str] = set()
        for index, _, tree in scoped:
            assert tree is not None  # unparsable cells were refused above
            if self.forbidden:
                reflecting += [f"cell {index + 1}, {where}" for where in reflections(tree, aliases)]
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
        if reflecting:
            # What a computed name reaches is decided at run time: neither points nor a penalty without a person.
            return Verdict(
                0.0,
                f"Needs a TA's review: {scope} choose modules or attributes at run time ({'; '.join(reflecting[:3])}), so the grader cannot tell whether they use {', '.join(self.forbidden)}.",
                {"reflections": len(reflecting)},
                needs_review=True,
            )
        rules = ([f"no {', '.join(self.forbidden)}"] if self.forbidden else []) + ([f"uses {', '.join(self.required)}"] if self.required else [])
        return Verdict(1.0, f"{scope.capitalize()} follow the rules ({'; '.join(rules)}).")
