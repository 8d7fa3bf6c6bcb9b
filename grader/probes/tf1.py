"""TensorFlow 1 graphs (``tensorflow.compat.v1``) seen from a probe: variables, ``get_variable`` calls, values.

Runs inside the sandbox. Usage in a rubric's ``probes.py``::

    from grader.probes import tf1

    def compression(ns, inputs):
        built = tf1.run_in_fresh_graph(ns["build_compression"], 8, 2, 3)  # records get_variable calls
        x, x_prime, x_tilde = built.result
        with tf1.initialized_session(built.graph) as session:
            out = session.run(x_tilde, {x: inputs["x"]})
            summary = tf1.graph_summary(built, session)                    # plain data, values included
        return {"graph": summary, "x_tilde": out}

``graph_summary`` returns the plain data a ``graph`` check (``grader.checks.graph``) judges::

    error                 why building the graph failed (absent when it did not)
    variables.names       global variables in creation order, scopes included, without ":0"
    variables.ranks       their ranks (-1: unknown)
    variables.dims        their dimensions, concatenated (-1: unknown dimension)
    variables.trainable   1 for trainable variables, else 0
    get_variable.names    every get_variable call, in order: the full name it resolved to
    get_variable.existing 1 when the call returned a variable that already existed (sharing), else 0
    get_variable.reuse    the reuse mode in effect: 0 none, 1 reuse=True, 2 AUTO_REUSE
    values.<k>            the value of variable k (with a session)

``get_variable`` calls are seen at the variable store every ``tf.compat.v1.get_variable`` goes through,
so sharing is observed as it happens, however the student spelled the call (``tf.get_variable``,
``from tensorflow.compat.v1 import get_variable``, ``scope.get_variable``). Numpy and TensorFlow are
imported inside the functions: importing this module costs nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CallFailed",
    "FreshGraph",
    "GetVariableCall",
    "evaluate",
    "graph_summary",
    "graph_variables",
    "initialized_session",
    "record_get_variable",
    "run_in_fresh_graph",
    "tensor_summary",
    "training_ops",
]

REUSE_CODES = {"none": 0, "reuse": 1, "auto": 2}
ERROR_CHARS = 500  # a TF error message ends with a long graph trace; the first lines say what went wrong


@dataclass
class GetVariableCall:
    """One call of ``get_variable``, as the variable store saw it."""

    name: str  # full name, scopes included, without ":0"
    shape: list[int] | None  # shape of the variable returned (-1 for unknown dimensions)
    reuse: int  # REUSE_CODES: the reuse mode in effect for this call
    existing: bool  # True when an existing variable was returned (shared), False when one was created


@dataclass
class FreshGraph:
    """What ``run_in_fresh_graph`` built: the graph, the function's return value or its error, the calls seen."""

    graph: Any
    result: Any = None
    error: str | None = None
    calls: list[GetVariableCall] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def value(self):
        """The function's return value; ``CallFailed`` (whose message is the error) when it raised."""
        if self.error is not None:
            raise CallFailed(f"your {self.error}")
        return self.result


class CallFailed(Exception):
    """The student's function raised while building a graph; the message says which and what."""

    explains_itself = True  # the probe runtime reports the message alone, without the class name


def _shape(value) -> list[int] | None:
    shape = getattr(value, "shape", None)
    if shape is None or getattr(shape, "rank", None) is None:
        return None
    return [-1 if dim is None else int(dim) for dim in shape.as_list()]


def _reuse_code(reuse) -> int:
    if reuse is True:
        return REUSE_CODES["reuse"]
    if reuse is None or reuse is False:
        return REUSE_CODES["none"]
    return REUSE_CODES["auto"]  # variable_scope's _ReuseMode.AUTO_REUSE


@contextlib.contextmanager
def record_get_variable() -> Iterator[list[GetVariableCall]]:
    """Log every ``get_variable`` call made inside the block (in any graph); yields the growing list."""
    from tensorflow.python.ops import variable_scope

    calls: list[GetVariableCall] = []
    store_class = variable_scope._VariableStore
    original = store_class.get_variable

    def recording(store, name, *args, **kwargs):
        before = store._vars.get(name)
        variable = original(store, name, *args, **kwargs)
        reuse = kwargs.get("reuse", args[4] if len(args) > 4 else None)
        existing = before is not None and variable is before
        calls.append(GetVariableCall(name=str(name), shape=_shape(variable), reuse=_reuse_code(reuse), existing=existing))
        return variable

    store_class.get_variable = recording
    try:
        yield calls
    finally:
        store_class.get_variable = original


def _describe_error(function: Callable, problem: BaseException) -> str:
    name = getattr(function, "__name__", "the function")
    message = str(problem).strip().split("\n\n")[0]
    if len(message) > ERROR_CHARS:
        message = message[:ERROR_CHARS] + " ..."
    return f"{name} raised {type(problem).__name__}: {message}" if message else f"{name} raised {type(problem).__name__}"


def run_in_fresh_graph(function: Callable, *args, **kwargs) -> FreshGraph:
    """Call ``function(*args, **kwargs)`` with a new ``tf.Graph`` as the default graph, recording get_variable.

    An exception from the student's function is kept as the result's ``error`` (the probe goes on with
    the next case); the grader's time limit (KeyboardInterrupt) still ends the probe.
    """
    import tensorflow as tf

    graph = tf.Graph()
    built = FreshGraph(graph)
    with graph.as_default(), record_get_variable() as calls:
        try:
            built.result = function(*args, **kwargs)
        except Exception as problem:  # noqa: BLE001 - the student's failure is data for the judge
            built.error = _describe_error(function, problem)
    built.calls = list(calls)
    return built


def graph_variables(graph) -> list[tuple[str, list[int] | None]]:
    """``(name, shape)`` of the graph's global variables in creation order; names without ":0"."""
    with graph.as_default():
        import tensorflow as tf

        variables = tf.compat.v1.global_variables()
    return [(variable.name.split(":")[0], _shape(variable)) for variable in variables]


def initialized_session(graph):
    """A ``tf.compat.v1.Session`` on the graph with every global variable initialized (use it in ``with``)."""
    import tensorflow as tf

    with graph.as_default():
        initializer = tf.compat.v1.global_variables_initializer()
    session = tf.compat.v1.Session(graph=graph)
    session.run(initializer)
    return session


def evaluate(graph, fetches, feeds: dict | None = None):
    """Run ``fetches`` (a tensor, a list or a dict of them) once in a fresh session with initialized variables."""
    with initialized_session(graph) as session:
        return session.run(fetches, feed_dict=feeds)


def graph_summary(built, session=None) -> dict[str, Any]:
    """Plain data describing a graph (a ``FreshGraph``, or a bare ``tf.Graph``): see the module docstring.

    With a session, the variables' current values are included (``values.0``, ``values.1``, ... in the
    order of ``variables.names``).
    """
    graph = getattr(built, "graph", built)
    calls: list[GetVariableCall] = getattr(built, "calls", [])
    summary: dict[str, Any] = {}
    if getattr(built, "error", None):
        summary["error"] = built.error
    variables = graph_variables(graph)
    summary["variables"] = {
        "names": [name for name, _ in variables],
        "ranks": [-1 if shape is None else len(shape) for _, shape in variables],
        "dims": [dim for _, shape in variables for dim in (shape or [])],
        "trainable": _trainable_flags(graph, [name for name, _ in variables]),
    }
    summary["get_variable"] = {
        "names": [call.name for call in calls],
        "existing": [int(call.existing) for call in calls],
        "reuse": [call.reuse for call in calls],
    }
    if session is not None and variables:
        import tensorflow as tf

        with graph.as_default():
            values = session.run(tf.compat.v1.global_variables())
        summary["values"] = {str(index): value for index, value in enumerate(values)}
    return summary


def _trainable_flags(graph, names: list[str]) -> list[int]:
    import tensorflow as tf

    with graph.as_default():
        trainable = {variable.name.split(":")[0] for variable in tf.compat.v1.trainable_variables()}
    return [int(name in trainable) for name in names]


def tensor_summary(value) -> dict[str, Any]:
    """Plain data about one tensor (or variable, or operation): what the grader checks of a placeholder or output."""
    op = getattr(value, "op", value)
    shape = _shape(value)
    dtype = getattr(value, "dtype", None)
    return {
        "op": str(getattr(op, "type", type(value).__name__)),
        "rank": -1 if shape is None else len(shape),
        "dims": shape or [],
        "dtype": str(getattr(dtype, "name", dtype)),
    }


def training_ops(graph) -> dict[str, Any]:
    """The update operations of the graph (``ApplyGradientDescent``, ``ApplyAdam``, ...) and, for plain
    gradient descent, the learning rate each applies (NaN when it is not a constant)."""
    import tensorflow as tf

    types, rates = [], []
    for op in graph.get_operations():
        if not op.type.startswith(("Apply", "ResourceApply", "SparseApply", "ResourceSparseApply")):
            continue
        types.append(op.type)
        rate = float("nan")
        if op.type.endswith("ApplyGradientDescent") and len(op.inputs) > 1:
            constant = tf.get_static_value(op.inputs[1])
            if constant is not None:
                rate = float(constant)
        rates.append(rate)
    return {"types": types, "learning_rates": rates}
