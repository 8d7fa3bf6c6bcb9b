"""Series 1 grader-side code: grader-chosen cases, and the judges that compute W1ᵀ…WnᵀWn…W1·x themselves.

Runs outside the sandbox only. The probes return the student's variables and outputs; the products
are computed here from the variable values, never in the student's kernel.
"""

from __future__ import annotations

import numpy as np

from grader.rubric.authoring import GraphSummary, read_summary

# (d, d_prime, n) with d - d_prime divisible by n; none of them is the template's demo (10, 4, 3)
CASES = np.array([[8, 2, 3], [12, 6, 2], [17, 5, 4]])
AGAIN_CASE = np.array([9, 3, 2])


def _describe(d: int, d_prime: int, n: int) -> str:
    return f"build_compression({d}, {d_prime}, {n})"


# -- input makers ---------------------------------------------------------------------------------


def compression_inputs(rng, data):
    sent = {"cases": CASES}
    for index, (d, _, _) in enumerate(CASES.tolist()):
        sent[f"x_{index}"] = rng.normal(0.0, 1.0, (1, d)).astype("float32")
    return sent, {}


def again_inputs(rng, data):
    return {"case": AGAIN_CASE, "x": rng.normal(0.0, 1.0, (1, int(AGAIN_CASE[0]))).astype("float32")}, {}


# -- helpers ---------------------------------------------------------------------------------------


def sheet_matrices(summary: GraphSummary, d: int, d_prime: int, n: int) -> list[np.ndarray] | None:
    """W_1 ... W_n as the sheet writes them ((d - i·k) × (d - (i-1)·k)), from the student's variable values.

    Found by name (W_i) when the student kept the names, else in creation order. A matrix stored
    transposed is turned the sheet's way: its orientation is the variables check's business, not this one's.
    """
    k = (d - d_prime) // n
    values = [variable for variable in summary.variables if variable.value is not None and variable.value.ndim == 2]
    named = [next((v for v in values if v.name.split("/")[-1] == f"W_{i}"), None) for i in range(1, n + 1)]
    chosen = named if all(named) else values[:n]
    if len(chosen) != n:
        return None
    matrices = []
    for i, variable in enumerate(chosen, start=1):
        shape = (d - i * k, d - (i - 1) * k)
        value = variable.value.astype(np.float64)
        if value.shape == shape[::-1] and shape[0] != shape[1]:
            value = value.T
        if value.shape != shape:
            return None
        matrices.append(value)
    return matrices


def expected_outputs(matrices: list[np.ndarray], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-vector form of eqs. (1) and (2): x' = x W1ᵀ…Wnᵀ, x̃ = x' Wn…W1."""
    x_prime = x.astype(np.float64)
    for matrix in matrices:
        x_prime = x_prime @ matrix.T
    x_tilde = x_prime
    for matrix in reversed(matrices):
        x_tilde = x_tilde @ matrix
    return x_prime, x_tilde


def _close(actual: np.ndarray, expected: np.ndarray) -> bool:
    # float32 products of a few random normal matrices: relative to the size of the values
    scale = max(1.0, float(np.max(np.abs(expected))))
    return actual.shape == expected.shape and bool(np.all(np.abs(actual - expected) <= 1e-4 * scale + 1e-3 * np.abs(expected)))


def _output_problem(evidence, check, index: int, d: int, d_prime: int, n: int) -> str | None:
    values = evidence.probe("compression", check).values
    call = _describe(d, d_prime, n)
    summary = read_summary(values, f"graphs.{index}")
    if summary.error:
        return f"Calling {call} in a new graph failed: {summary.error.rstrip('.')}."
    error = values.get(f"outputs.{index}.error")
    if error:
        return f"For {call}, {error}."
    return None


# -- test functions ---------------------------------------------------------------------------------


def test_interface(evidence, check):
    values = evidence.probe("compression", check).values
    for index, (d, d_prime, n) in enumerate(CASES.tolist()):
        call = _describe(d, d_prime, n)
        summary = read_summary(values, f"graphs.{index}")
        assert not summary.error, f"Calling {call} in a new graph failed: {summary.error.rstrip('.')}."
        error = values.get(f"outputs.{index}.error")
        assert not error or not error.startswith("build_compression must return"), f"{error}."
        op, dtype = values.get(f"outputs.{index}.x.op"), values.get(f"outputs.{index}.x.dtype")
        dims = [int(v) for v in np.ravel(values.get(f"outputs.{index}.x.dims", []))]
        assert op == "Placeholder", f"In {call}, x is a {op} tensor; it must be a tf.placeholder, so the grader can feed its own x."
        assert dtype == "float32", f"In {call}, x has dtype {dtype}; float32 was expected."
        assert dims == [1, d], f"In {call}, x has shape {dims}; [1, {d}] was expected (x is a row vector)."
        assert not error, f"For {call}, {error}."
        for name, width in (("x_prime", d_prime), ("x_tilde", d)):
            shape = list(np.shape(values.get(f"outputs.{index}.{name}_value")))
            assert shape == [1, width], f"In {call}, {name} has shape {shape}; [1, {width}] was expected."


def test_outputs(evidence, check):
    """x_prime and x_tilde each earn half of every case, computed by the grader from the student's own W_i.

    x_tilde is checked against the decompression of the student's own x_prime, so a wrong compression is
    charged once (in x_prime), not again in x_tilde."""
    values = evidence.probe("compression", check).values
    inputs = evidence.inputs["compression"]
    earned, problems = 0.0, []
    for index, (d, d_prime, n) in enumerate(CASES.tolist()):
        call = _describe(d, d_prime, n)
        problem = _output_problem(evidence, check, index, d, d_prime, n)
        matrices = None
        if problem is None:
            matrices = sheet_matrices(read_summary(values, f"graphs.{index}"), d, d_prime, n)
            if matrices is None:
                problem = f"In {call}, the grader could not find the {n} matrices W_1 ... W_{n} among your variables, so it could not compute x_prime and x_tilde."
        if problem is not None:
            problems.append(problem)
            continue
        x_prime, _ = expected_outputs(matrices, inputs[f"x_{index}"])
        got_prime = np.asarray(values[f"outputs.{index}.x_prime_value"], dtype=np.float64)
        got_tilde = np.asarray(values[f"outputs.{index}.x_tilde_value"], dtype=np.float64)
        if not np.all(np.isfinite(got_prime)):
            problems.append(f"In {call}, x_prime contains NaN or infinite values.")
        elif not _close(got_prime, x_prime):
            problems.append(f"In {call}, x_prime is not W_{n}···W_1·x for the grader's x (compute x_prime = x W_1ᵀ···W_{n}ᵀ for the row vector x).")
        else:
            earned += 0.5
        if not np.all(np.isfinite(got_tilde)):
            problems.append(f"In {call}, x_tilde contains NaN or infinite values.")
        elif got_prime.shape != x_prime.shape or not _close(got_tilde, _decompressed(matrices, got_prime)):
            problems.append(f"In {call}, x_tilde is not W_1ᵀ···W_{n}ᵀ·x_prime: decompress your x_prime with the transposes of the same W_i, in reverse order, and nothing else.")
        else:
            earned += 0.5
    if not problems:
        return None
    fraction = earned / len(CASES)
    return fraction, f"{problems[0]} x_prime and x_tilde earn half a case each: {earned:g} of the {len(CASES)} cases were earned."


def _decompressed(matrices: list[np.ndarray], x_prime: np.ndarray) -> np.ndarray:
    """Eq. (2) in row-vector form applied to a given x' (the student's own): x̃ = x' Wn…W1."""
    x_tilde = x_prime.astype(np.float64)
    for matrix in reversed(matrices):
        x_tilde = x_tilde @ matrix
    return x_tilde


def test_callable_again(evidence, check):
    values = evidence.probe("again", check).values
    d, d_prime, n = AGAIN_CASE.tolist()
    call = _describe(d, d_prime, n)
    first, second = read_summary(values, "graphs.0"), read_summary(values, "graphs.1")
    for number, summary in (("first", first), ("second", second)):
        assert not summary.error, f"Calling {call} a {number} time, in a new graph, failed: {summary.error.rstrip('.')}."
    own = [int(flag) for flag in np.ravel(values["own_graph"])]
    ran = [int(flag) for flag in np.ravel(values["ran"])]
    assert own[1], (
        f"Called a second time in a new graph, {call} returned tensors of another graph: build x, the W_i and every operation inside the function on each call (no tensors kept from an earlier call)."
    )
    assert own[0] and ran == [1, 1], f"The graph built by {call} could not be run in a new session with the grader's x."
    shapes = [[(v.name, v.shape) for v in summary.variables] for summary in (first, second)]
    assert shapes[0] == shapes[1], (
        f"Calling {call} twice, each time in a new graph, gave different variables "
        f"({', '.join(name for name, _ in shapes[0])} then {', '.join(name for name, _ in shapes[1])}): the function must not depend on earlier calls."
    )
