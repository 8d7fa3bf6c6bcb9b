"""``graph``: declarative expectations on a TensorFlow 1 graph the student's function built.

A probe builds the graph with ``grader.probes.tf1`` (in a fresh ``tf.Graph``, recording every
``get_variable`` call) and returns ``tf1.graph_summary(...)``: plain names, shapes and call records.
This check reads that summary outside the sandbox and verifies, per graph: the number of variables,
their names and shapes, that they were created by ``get_variable``, and that they were shared by
``get_variable`` reuse (a call that returned the existing variable). Example, one graph per row of a
grader-chosen input ``cases`` whose columns are ``d, d_prime, n``::

    - id: s01-variables
      kind: graph
      probe: compression_graphs      # returns {"graphs": {"0": summary, "1": summary, ...}}
      summary: graphs
      cases: cases                   # probe input, one row of parameters per graph
      parameters: [d, d_prime, n]
      call: "build_compression({d}, {d_prime}, {n})"
      count: n
      variables:
        - {name: "W_{i}", for_each: n, shape: ["d - i*(d - d_prime)//n", "d - (i-1)*(d - d_prime)//n"]}
      created_by_get_variable: true

Names are ``fnmatch`` patterns matched against the full variable name or its end after any scope
(``W_{i}`` matches ``compression/W_1``; ``*`` matches any name). With ``identify: role`` a variable whose
name differs (``W1`` for ``W_1``) is found by creation order and shape instead, so a naming slip costs only
the check that asks for the names; with ``transposed: consistent`` a family stored transposed counts when
every member of it is (one convention throughout). Shapes and counts are integers or
arithmetic expressions (``+ - * // %``, parentheses) over the parameters and ``i``. With ``partial``,
the points are shared out over the graphs that meet every expectation.
"""

from __future__ import annotations

import ast
import fnmatch
import operator
import string
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from grader.checks.base import CheckBase, CheckNotRun, Evidence, Verdict

# -- arithmetic over rubric parameters --------------------------------------------------------------

_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}


def expression_names(expression: int | str) -> set[str]:
    """The parameter names an expression uses; ValueError when it is not plain integer arithmetic."""
    if isinstance(expression, int):
        return set()
    try:
        tree = ast.parse(str(expression), mode="eval")
    except SyntaxError:
        raise ValueError(f"not an arithmetic expression: {expression!r}") from None
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif not isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.USub, ast.UAdd, ast.Constant, ast.Load, *_OPERATORS)):
            raise ValueError(f"only + - * // % and parentheses are allowed in {expression!r}")
        elif isinstance(node, ast.Constant) and not isinstance(node.value, int):
            raise ValueError(f"only integer constants are allowed in {expression!r}")
    return names


def evaluate_expression(expression: int | str, parameters: dict[str, int]) -> int:
    """The value of an integer expression such as ``d - i*(d - d_prime)//n``."""
    if isinstance(expression, int):
        return expression

    def value(node: ast.AST) -> int:
        if isinstance(node, ast.Expression):
            return value(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):  # expression_names refuses other constants
            return int(node.value)
        if isinstance(node, ast.Name):
            return int(parameters[node.id])
        if isinstance(node, ast.UnaryOp):
            return -value(node.operand) if isinstance(node.op, ast.USub) else value(node.operand)
        if isinstance(node, ast.BinOp):
            return _OPERATORS[type(node.op)](value(node.left), value(node.right))
        raise ValueError(f"unsupported expression {expression!r}")

    return value(ast.parse(str(expression), mode="eval"))


# -- the probe's summary, read back on the host ------------------------------------------------------


@dataclass
class GraphVariable:
    name: str
    shape: list[int] | None
    trainable: bool
    value: np.ndarray | None = None


@dataclass
class GetVariableRecord:
    name: str
    existing: bool
    reuse: int  # 0 none, 1 reuse=True, 2 AUTO_REUSE


@dataclass
class GraphSummary:
    """A ``tf1.graph_summary`` as the host parsed it from probe data."""

    variables: list[GraphVariable] = field(default_factory=list)
    calls: list[GetVariableRecord] = field(default_factory=list)
    error: str | None = None

    def created_by_get_variable(self, name: str) -> bool:
        return any(call.name == name and not call.existing for call in self.calls)

    def shared_by_reuse(self, name: str) -> bool:
        return any(call.name == name and call.existing for call in self.calls)

    def find(self, pattern: str) -> list[GraphVariable]:
        return [variable for variable in self.variables if name_matches(variable.name, pattern)]


def _strings(value: Any) -> list[str]:
    return [str(item) for item in np.ravel(np.asarray(value if value is not None else [], dtype=object))]


def _integers(value: Any, what: str) -> list[int]:
    try:
        array = np.asarray(value if value is not None else [], dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise CheckNotRun(f"The grader's record of your graph is damaged ({what} is not numeric).") from None
    if not np.all(np.isfinite(array)):
        raise CheckNotRun(f"The grader's record of your graph is damaged ({what} is not finite).")
    return [int(item) for item in array]


def read_summary(values: dict[str, Any], prefix: str = "") -> GraphSummary:
    """Parse the keys ``<prefix>.variables.*``, ``<prefix>.get_variable.*``, ``<prefix>.values.*``, ``<prefix>.error``."""

    def get(key: str, default: Any = None) -> Any:
        return values.get(f"{prefix}.{key}" if prefix else key, default)

    if get("variables.names") is None and get("error") is None:
        raise KeyError(prefix or "variables.names")
    names = _strings(get("variables.names"))
    ranks = _integers(get("variables.ranks"), "variables.ranks")
    dims = _integers(get("variables.dims"), "variables.dims")
    trainable = _integers(get("variables.trainable"), "variables.trainable")
    if len(ranks) != len(names) or sum(max(rank, 0) for rank in ranks) != len(dims) or len(trainable) not in (0, len(names)):
        raise CheckNotRun("The grader's record of your graph is inconsistent (names and shapes do not line up).")
    variables, start = [], 0
    for index, (name, rank) in enumerate(zip(names, ranks)):
        shape = None if rank < 0 else dims[start : start + rank]
        start += max(rank, 0)
        value = get(f"values.{index}")
        variables.append(GraphVariable(name, shape, bool(trainable[index]) if trainable else True, None if value is None else np.asarray(value)))
    call_names = _strings(get("get_variable.names"))
    existing = _integers(get("get_variable.existing"), "get_variable.existing")
    reuse = _integers(get("get_variable.reuse"), "get_variable.reuse")
    if not len(call_names) == len(existing) == len(reuse):
        raise CheckNotRun("The grader's record of your get_variable calls is inconsistent.")
    calls = [GetVariableRecord(name, bool(flag), mode) for name, flag, mode in zip(call_names, existing, reuse)]
    error = get("error")
    return GraphSummary(variables, calls, str(error) if error else None)


def name_matches(name: str, pattern: str) -> bool:
    """``pattern`` matches the whole name or its end after a scope: ``W_1`` matches ``compression/W_1``."""
    name = name.split(":")[0]
    return fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(name, "*/" + pattern)


def _shape_text(shape: list[int] | None) -> str:
    return "unknown" if shape is None else "[" + ", ".join("?" if dim < 0 else str(dim) for dim in shape) + "]"


def _names_text(names: list[str], limit: int = 8) -> str:
    if not names:
        return "none"
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


# -- the check kind ------------------------------------------------------------------------------


class ExpectedVariable(BaseModel):
    """A variable (or, with ``for_each``, a numbered family of variables) the graph must hold."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        description="fnmatch pattern for the variable's name, matched against the full name or its end after a scope; '{i}' is replaced by the index of a for_each family; '*' accepts any name."
    )
    shape: list[int | str] | None = Field(None, description="Expected dimensions: integers or arithmetic expressions over the parameters (and i); omitted: any shape.")
    for_each: int | str | None = Field(None, description="Repeat this entry for i = 1 ... this value (an integer or an expression such as 'n').")

    def expand(self, parameters: dict[str, int]) -> list[tuple[str, list[int] | None]]:
        """``(name pattern, shape)`` of each variable this entry stands for, with the parameters filled in."""
        if self.for_each is None:
            return [(self.name, None if self.shape is None else [evaluate_expression(dim, parameters) for dim in self.shape])]
        entries = []
        for i in range(1, evaluate_expression(self.for_each, parameters) + 1):
            scope = {**parameters, "i": i}
            shape = None if self.shape is None else [evaluate_expression(dim, scope) for dim in self.shape]
            entries.append((self.name.replace("{i}", str(i)), shape))
        return entries


class GraphCheck(CheckBase):
    """Variables of TF1 graphs built by the student's code: count, names, shapes, get_variable creation and reuse."""

    kind: Literal["graph"] = Field("graph", description="Check kind.")
    probe: str = Field(description="Probe that built the graph(s) with grader.probes.tf1 and returned tf1.graph_summary(...).")
    summary: str = Field("graph", description="Key of the probe output holding the summary; with `cases`, the summary of graph j is under '<summary>.<j>'.")
    cases: str | None = Field(None, description="Probe input (an array with one row per graph the probe built) holding each graph's parameters.")
    parameters: list[str] = Field(default_factory=list, description="Names of the columns of `cases`, usable in count, shapes, for_each and call.")
    call: str | None = Field(None, description="How the call that built a graph is shown to the student, with {parameter} placeholders, e.g. 'build_compression({d}, {d_prime}, {n})'.")
    count: int | str | None = Field(None, description="Exact number of global variables each graph must hold: an integer or an expression over the parameters.")
    variables: list[ExpectedVariable] = Field(default_factory=list, description="Variables each graph must hold, with their shapes.")
    created_by_get_variable: bool = Field(False, description="Every expected variable must have been created by tf.compat.v1.get_variable (not tf.Variable).")
    shared_by_reuse: bool = Field(
        False, description="Every expected variable must also have been returned, already existing, by a later get_variable call (sharing through variable scopes and reuse, not Python references)."
    )
    identify: Literal["name", "role"] = Field(
        "name",
        description="How an expected variable is found: by its name pattern only, or also by role: when no variable has the name, the first remaining one (in creation order) of the expected shape stands for it, and its name is left to a check that asks for names.",
    )
    transposed: Literal["refuse", "consistent"] = Field(
        "refuse", description="'consistent': a variable stored with the expected shape transposed counts, provided every variable of its family is stored the same way (one convention throughout)."
    )

    @model_validator(mode="after")
    def _expressions_use_known_names(self) -> GraphCheck:
        if self.cases is None and self.parameters:
            raise ValueError("'parameters' name the columns of 'cases'; give 'cases' too")
        known = set(self.parameters)
        expressions: list[tuple[int | str, set[str]]] = []
        if self.count is not None:
            expressions.append((self.count, known))
        for entry in self.variables:
            inner = known | ({"i"} if entry.for_each is not None else set())
            if entry.for_each is not None:
                expressions.append((entry.for_each, known))
            expressions.extend((dim, inner) for dim in entry.shape or [])
        for expression, allowed in expressions:
            unknown = expression_names(expression) - allowed
            if unknown:
                raise ValueError(f"expression {expression!r} uses {', '.join(sorted(unknown))}, which is not among the parameters {sorted(allowed)}")
        placeholders = {field for _, field, _, _ in string.Formatter().parse(self.call or "") if field is not None}
        if placeholders - known:
            raise ValueError(f"call {self.call!r} uses {', '.join(sorted(placeholders - known))}, which is not among the parameters {sorted(known)}")
        if not (self.count is not None or self.variables):
            raise ValueError("a graph check needs 'count' or 'variables'")
        if (self.created_by_get_variable or self.shared_by_reuse) and not self.variables:
            raise ValueError("created_by_get_variable and shared_by_reuse apply to 'variables'; list them")
        return self

    def needed_probes(self) -> set[str]:
        return {self.probe}

    def graphs(self, evidence: Evidence) -> list[tuple[dict[str, int], str]]:
        """``(parameters, key prefix)`` of each graph to judge."""
        if self.cases is None:
            return [({}, self.summary)]
        rows = np.asarray(evidence.inputs.get(self.probe, {}).get(self.cases))
        if rows.ndim != 2 or rows.shape[1] != len(self.parameters):
            raise RuntimeError(f"rubric: check {self.id} expects probe input '{self.cases}' with columns {self.parameters}")
        return [(dict(zip(self.parameters, (int(value) for value in row))), f"{self.summary}.{index}") for index, row in enumerate(rows)]

    def describe(self, parameters: dict[str, int]) -> str:
        return self.call.format(**parameters) if self.call else "your code"

    def _opening(self, parameters: dict[str, int]) -> str:
        # A sentence may start with the call; function names keep their case, "your code" does not.
        call = self.describe(parameters)
        return call if self.call else call.capitalize()

    def evaluate(self, evidence: Evidence) -> Verdict:
        data = evidence.probe(self.probe, self)
        problems: list[str] = []
        cases = self.graphs(evidence)
        for parameters, prefix in cases:
            try:
                summary = read_summary(data.values, prefix)
            except KeyError:
                raise CheckNotRun(f"The grader could not inspect the graph built by {self.describe(parameters)}.{evidence.failing_cells(self.exercise)}") from None
            problem = self.first_problem(summary, parameters)
            if problem:
                problems.append(problem)
        passed = len(cases) - len(problems)
        measured = {"graphs": len(cases), "graphs_as_expected": passed}
        if not problems:
            return Verdict(1.0, self.success_text(cases), measured)
        scope = f" {passed} of the {len(cases)} graphs {'was' if passed == 1 else 'were'} as expected." if len(cases) > 1 else ""
        return Verdict(passed / len(cases), problems[0] + scope, measured)

    def first_problem(self, summary: GraphSummary, parameters: dict[str, int]) -> str | None:
        """The first unmet expectation for one graph, as a sentence for the student; None when all are met."""
        call = self.describe(parameters)
        if summary.error:
            return f"Calling {call} in a new graph failed: {summary.error.rstrip('.')}."
        names = [variable.name for variable in summary.variables]
        if self.count is not None:
            count = evaluate_expression(self.count, parameters)
            if len(names) != count:
                return f"{self._opening(parameters)} created {len(names)} variable{'s' if len(names) != 1 else ''} ({_names_text(names)}); exactly {count} {'were' if count != 1 else 'was'} expected."
        remaining = list(summary.variables)
        matched: list[GraphVariable] = []
        for entry in self.variables:
            orientations: dict[str, bool] = {}  # variable name -> stored transposed (non-square ones only)
            for pattern, shape in entry.expand(parameters):
                candidates = [variable for variable in remaining if name_matches(variable.name, pattern)]
                if not candidates and self.identify == "role":
                    candidates = [variable for variable in remaining if self._fits(variable.shape, shape)][:1]
                if not candidates:
                    named = f" named {pattern}" if pattern != "*" else ""
                    shaped = f" of shape {_shape_text(shape)}" if shape is not None else ""
                    return f"{self._opening(parameters)} created no variable{named}{shaped} (its variables: {_names_text(names)})."
                exact = [variable for variable in candidates if self._fits(variable.shape, shape)]
                if not exact:
                    if pattern == "*":
                        found = ", ".join(f"{v.name} {_shape_text(v.shape)}" for v in candidates[:6])
                        return f"{self._opening(parameters)} created no variable of shape {_shape_text(shape)} (found: {found})."
                    closest = candidates[0]
                    if closest.shape is not None and shape is not None and closest.shape[::-1] == shape:
                        return f"In {call}, {closest.name} has shape {_shape_text(closest.shape)}, the transpose of the expected {_shape_text(shape)}."
                    return f"In {call}, {closest.name} has shape {_shape_text(closest.shape)}; {_shape_text(shape)} was expected."
                remaining.remove(exact[0])
                matched.append(exact[0])
                if shape is not None and shape != shape[::-1]:
                    orientations[exact[0].name] = exact[0].shape != shape
            if len(set(orientations.values())) > 1:
                flipped = [name for name, turned in orientations.items() if turned]
                kept = [name for name, turned in orientations.items() if not turned]
                return (
                    f"In {call}, {_names_text(flipped)} {'is' if len(flipped) == 1 else 'are'} stored transposed but {_names_text(kept)} "
                    f"{'is' if len(kept) == 1 else 'are'} not: use one convention for all of them."
                )
        for variable in matched:
            if self.created_by_get_variable and not summary.created_by_get_variable(variable.name):
                return f"In {call}, {variable.name} was not created with tf.get_variable (tf.Variable cannot be shared by name); create it with tf.get_variable."
        for variable in matched:
            if self.shared_by_reuse and not summary.shared_by_reuse(variable.name):
                if not summary.created_by_get_variable(variable.name):
                    return f"In {call}, {variable.name} was not created with tf.get_variable, so it cannot be shared by reuse; create it with tf.get_variable."
                return (
                    f"In {call}, {variable.name} was never fetched again with tf.get_variable: share it by calling tf.get_variable "
                    f"with the same name in a variable_scope with reuse=True (or tf.AUTO_REUSE), not by keeping a Python reference."
                )
        return None

    def _fits(self, actual: list[int] | None, shape: list[int] | None) -> bool:
        if shape is None:
            return True
        return actual == shape or (self.transposed == "consistent" and actual is not None and actual[::-1] == shape)

    def success_text(self, cases: list[tuple[dict[str, int], str]]) -> str:
        calls = ", ".join(self.describe(parameters) for parameters, _ in cases)
        facts = ["number of variables"] if self.count is not None else []
        if self.variables:
            if any(entry.name != "*" for entry in self.variables):
                facts.append("variable names")
            if any(entry.shape is not None for entry in self.variables):
                facts.append("shapes")
        if self.created_by_get_variable:
            facts.append("created with tf.get_variable")
        if self.shared_by_reuse:
            facts.append("shared by get_variable reuse")
        graphs = "graphs" if len(cases) > 1 else "graph"
        return f"The {graphs} built by {calls} met every expectation ({', '.join(facts)})."
