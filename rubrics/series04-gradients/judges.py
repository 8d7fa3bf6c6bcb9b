"""Series 4 grader-side code: input makers, autodiff formulas and test functions. Runs outside the sandbox only.

Input makers take ``(rng, data)`` and return ``(sent, held)``; formulas take ``(inputs, held)`` and compute
the expected gradients with TensorFlow's automatic differentiation in float64; test functions take
``(evidence, check)`` and fail with an assertion message written for the student.
"""

from __future__ import annotations

import re

import numpy as np

from grader.rubric.authoring import finite_array, import_tensorflow

CASES = 6

# -- input makers ---------------------------------------------------------------------------------


def _rectangular(rng):
    """Random shapes with d1 != d2, so that a transposed answer cannot pass."""
    d1, d2 = rng.choice(np.arange(2, 8), size=2, replace=False)
    return int(d1), int(d2)


def sq_norm_inputs(rng, data):
    d1, d2 = _rectangular(rng)
    return {"W": rng.normal(size=(CASES, d1, d2)), "x": rng.normal(size=(CASES, d2))}, {}


def trace_inputs(rng, data):
    d1, d2 = _rectangular(rng)
    return {"A": rng.normal(size=(CASES, d1, d2)), "B": rng.normal(size=(CASES, d2, d1))}, {}


def hessian_inputs(rng, data):
    """The network of Problem 2.3 with sizes 6 -> 5 -> 4 -> 3; weights scaled so that tanh is not saturated."""
    sizes = [6, 5, 4, 3]
    sent = {f"W{layer + 1}": rng.normal(scale=0.7, size=(CASES, sizes[layer + 1], sizes[layer])) for layer in range(3)}
    sent["x"] = rng.normal(size=(CASES, sizes[0]))
    sent["t"] = rng.normal(size=(CASES, sizes[-1]))
    return sent, {}


# -- formulas (TensorFlow autodiff, float64) --------------------------------------------------------


def autodiff_sq_norm(inputs, held):
    tf = import_tensorflow()
    W = tf.Variable(inputs["W"])
    x = tf.constant(inputs["x"])
    with tf.GradientTape() as tape:
        y = tf.linalg.matvec(W, x)
        loss = tf.reduce_sum(y * y)  # the cases are independent, so one sum gives every case's gradient
    return tape.gradient(loss, W).numpy()


def autodiff_trace(inputs, held):
    tf = import_tensorflow()
    A = tf.Variable(inputs["A"])
    B = tf.constant(inputs["B"])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.linalg.trace(tf.matmul(B, A)))
    return tape.gradient(loss, A).numpy()


def exact_diag_hessians(inputs) -> list[np.ndarray]:
    """The exact d2L/dw^2 of every weight of every case (diagonal of the full Hessian), by nested autodiff.

    ``experimental_use_pfor=False``: the vectorised jacobian builds a new tf.function per call, and TF warns
    about retracing in the TA's terminal after a few submissions; these Hessians are tiny anyway.
    """
    tf = import_tensorflow()
    diagonals = [[], [], []]
    for case in range(len(inputs["x"])):
        weights = [tf.Variable(inputs[f"W{layer + 1}"][case]) for layer in range(3)]
        x, t = tf.constant(inputs["x"][case]), tf.constant(inputs["t"][case])
        with tf.GradientTape(persistent=True) as outer:
            with tf.GradientTape() as inner:
                z1 = tf.tanh(tf.linalg.matvec(weights[0], x))
                z2 = tf.tanh(tf.linalg.matvec(weights[1], z1))
                loss = 0.5 * tf.reduce_sum((tf.linalg.matvec(weights[2], z2) - t) ** 2)
            grads = inner.gradient(loss, weights)
        for layer, (weight, grad) in enumerate(zip(weights, grads)):
            full = outer.jacobian(grad, weight, experimental_use_pfor=False).numpy().reshape(weight.shape.num_elements(), -1)
            diagonals[layer].append(np.diag(full).reshape(weight.shape))
        del outer
    return [np.stack(layer) for layer in diagonals]


# -- test functions ---------------------------------------------------------------------------------


def test_hessian_output_layer(evidence, check):
    """The output layer is linear with a squared error: its diagonal terms z2_i^2 are exact."""
    inputs = evidence.inputs["hessian"]
    actual = finite_array(evidence.value("hessian", "W3", check), "Your diag_hessian for W3")
    expected = exact_diag_hessians(inputs)[2]
    assert actual.shape == expected.shape, f"diag_hessian returned an array of shape {actual.shape[1:]} for W3; W3's shape {expected.shape[1:]} was expected."
    close = np.isclose(actual, expected, rtol=1e-6, atol=1e-9).reshape(len(actual), -1).all(axis=1)
    assert close.all(), (
        f"For the output layer W3 your diagonal Hessian differs from the exact second derivatives (automatic differentiation) "
        f"on {int((~close).sum())} of {len(close)} inputs; there d2L/d(W3)_ki^2 = z2_i^2 exactly, since y is linear and L = 1/2 ||y - t||^2."
    )


# Big-O answers: the notation varies ($\mathcal{O}(|W|)$, O(W²), O(n_w^2), "quadratic"); the degree is what counts.
_BIG_O = re.compile(r"(?:\\mathcal\s*\{?\s*O\s*\}?|\\mathcal\s+O|𝒪|\bO)\s*(?:\\left|\\big|\\Big)?\s*[(\[]([^()\[\]]*(?:\([^()]*\)[^()\[\]]*)*)[)\]]")
_DEGREE_WORDS = {"constant": 0, "linear": 1, "quadratic": 2, "cubic": 3}
_SUPERSCRIPTS = {"²": "^2", "³": "^3", "⁴": "^4"}


def big_o_degree(answer: str) -> int | None:
    """The polynomial degree, in the number of weights, of the first big-O term (or degree word) in the answer."""
    text = answer
    for glyph, power in _SUPERSCRIPTS.items():
        text = text.replace(glyph, power)
    found = _BIG_O.search(text)
    if not found:
        words = [degree for word, degree in _DEGREE_WORDS.items() if re.search(rf"\b{word}\b", text, re.IGNORECASE)]
        return words[0] if len(words) == 1 else None
    inner = found.group(1)
    inner = re.sub(r"\\(cdot|times)", "*", inner)
    inner = inner.replace("**", "^").replace("{", "").replace("}", "").replace("|", "").replace("\\", "").replace("#", "")
    factors = re.findall(r"([A-Za-z][A-Za-z0-9_]*)\s*(?:\^\s*(\d+))?", inner)
    if not factors:
        return 0 if re.fullmatch(r"\s*\d+\s*", inner) else None
    degrees: dict[str, int] = {}
    for name, power in factors:
        degrees[name] = degrees.get(name, 0) + int(power or 1)
    weights = [name for name in degrees if name.lower() in {"w", "n_w", "nw", "n_weights", "weights", "p"}]
    if weights:
        return degrees[weights[0]]
    return next(iter(degrees.values())) if len(degrees) == 1 else None


def test_complexity(evidence, check):
    answers = {"complexity_diag": (evidence.value("complexity", "diag", check), 1), "complexity_full": (evidence.value("complexity", "full", check), 2)}
    words = {0: "constant", 1: "linear", 2: "quadratic", 3: "cubic"}
    problems = []
    for name, (answer, wanted) in answers.items():
        degree = big_o_degree(str(answer))
        if degree is None:
            problems.append(f'{name} = {str(answer)[:60]!r} could not be read as a big-O in W, the number of weights (write e.g. "O(W^3)")')
        elif degree != wanted:
            problems.append(f"{name} = {str(answer)[:60]!r} reads as {words.get(degree, f'degree {degree}')} in W, which is not the cost asked for")
    if not problems:
        return None
    fraction = 1.0 - len(problems) / len(answers)
    return fraction, "Your " + "; your ".join(problems) + "."
