"""PW06 grader-side code: input makers, formulas and test functions. Runs outside the sandbox only.

Input makers take ``(rng, data)`` and return ``(sent, held)``: arrays the probe receives, and arrays
the grader keeps (evaluation labels). Formulas take ``(inputs, held)``; test functions take
``(evidence, check)`` and fail with an assertion message written for the student.
"""

from __future__ import annotations

import numpy as np

from grader.checks.base import finite_array, import_tensorflow

# -- input makers ---------------------------------------------------------------------------------


def ex1_points(rng, data):
    return {"points": rng.uniform(-2.0, 2.0, size=(8, 5))}, {}


def ex3_dimensions(rng, data):
    return {"dimensions": np.array([[784, 300, 10], [20, 7, 3], [5, 16, 2]])}, {}


def ex3_forward_inputs(rng, data):
    D, H, K, N = 12, 9, 4, 16
    sent = {
        "W1": rng.normal(0, 1, (D, H)).astype("float32"),
        "b1": rng.normal(0, 1, (H,)).astype("float32"),
        "W2": rng.normal(0, 1, (H, K)).astype("float32"),
        "b2": rng.normal(0, 1, (K,)).astype("float32"),
        "X": rng.uniform(0, 1, (N, D)).astype("float32"),
    }
    return sent, {}


def ex3_mse_inputs(rng, data):
    labels = rng.integers(0, 10, size=(4, 32))
    return {"Y": np.eye(10, dtype="float32")[labels], "Y_hat": rng.uniform(0, 1, (4, 32, 10)).astype("float32")}, {}


def mnist_evaluation(rng, data):
    images, labels = data.mnist_test
    order = rng.permutation(len(images))
    return {"images": images[order]}, {"labels": labels[order]}


def lr_steps(rng, data):
    return {"steps": np.arange(0, 20001, 250)}, {}


# -- formulas ---------------------------------------------------------------------------------------


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def ex1_expected_y_hat(inputs, held):
    w1, w2, b, x1, x2 = inputs["points"].T
    return _sigmoid(w1 * x1 + w2 * x2 + b)


def ex1_autodiff_grads(inputs, held):
    """Gradients of y_hat by TensorFlow's automatic differentiation (float64), in the order w1, w2, b, x1, x2."""
    tf = import_tensorflow()
    variables = tf.Variable(inputs["points"].astype(np.float64))
    with tf.GradientTape() as tape:
        w1, w2, b, x1, x2 = tf.unstack(variables, axis=1)
        y_hat = tf.sigmoid(w1 * x1 + w2 * x2 + b)
    return tape.gradient(y_hat, variables).numpy()


def ex3_expected_forward(inputs, held):
    hidden = np.maximum(inputs["X"].astype(np.float64) @ inputs["W1"] + inputs["b1"], 0.0)
    return _sigmoid(hidden @ inputs["W2"] + inputs["b2"])


def ex3_expected_mse(inputs, held):
    return np.mean((inputs["Y"].astype(np.float64) - inputs["Y_hat"]) ** 2, axis=(1, 2))


# -- test functions ---------------------------------------------------------------------------------


def test_init_shapes(evidence, check):
    dimensions = evidence.inputs["ex3_shapes"]["dimensions"]
    shapes = finite_array(evidence.value("ex3_shapes", "shapes", check), "The parameter shapes")
    for (D, H, K), row in zip(dimensions.tolist(), shapes.tolist()):
        expected = [[D, H], [H, -1], [H, K], [K, -1]]
        got = [[int(v) for v in shape] for shape in row]
        assert got == expected, (
            f"init_params({D}, {H}, {K}) gave shapes W1 {got[0][:2]}, b1 {got[1][:1]}, W2 {got[2][:2]}, b2 {got[3][:1]}; "
            f"expected W1 [{D}, {H}], b1 [{H}], W2 [{H}, {K}], b2 [{K}]."
        )
    flags = evidence.value("ex3_shapes", "is_variable", check)
    assert all(int(flag) == 1 for flag in np.ravel(flags)), "init_params must return tf.Variable objects (so GradientTape can train them)."


def test_lr_schedule(evidence, check):
    rates = finite_array(evidence.value("ex3_lr_schedule", "rates", check), "The learning rates")
    assert np.all(rates > 0), "lr_schedule must return positive learning rates."
    assert np.all(np.diff(rates) <= 1e-12), "lr_schedule must never increase along the training."
    assert len(np.unique(np.round(rates, 12))) >= 2, "lr_schedule must decrease at least once (piecewise)."


def test_keras_architecture(evidence, check):
    classes = list(np.ravel(evidence.value("ex4_keras", "classes", check)))
    units = [int(u) for u in np.ravel(evidence.value("ex4_keras", "units", check))]
    activations = list(np.ravel(evidence.value("ex4_keras", "activations", check)))
    input_dim = int(evidence.value("ex4_keras", "input_dim", check))
    dense = [i for i, name in enumerate(classes) if name == "Dense"]
    assert input_dim == 784, f"keras_model takes inputs of size {input_dim}; 784 (flattened 28x28 images) was expected."
    assert len(dense) == 2, f"keras_model has {len(dense)} Dense layers; the MLP of Ex 3 has exactly 2 (hidden and output)."
    hidden, output = dense
    assert activations[hidden] == "relu", f"The hidden Dense layer uses '{activations[hidden]}'; ReLU was expected."
    assert units[output] == 10, f"The output layer has {units[output]} units; 10 (one per digit) were expected."
    assert activations[output] in ("sigmoid", "softmax"), f"The output layer uses '{activations[output]}'; sigmoid (or softmax) was expected."
