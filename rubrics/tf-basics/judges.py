"""TF-basics grader-side code: grader-chosen inputs and the judges. Runs outside the sandbox only.

The expected values are computed here from the student's own variable values (read back by the probes),
so a randomly initialised layer can be checked exactly.
"""

from __future__ import annotations

import numpy as np

from grader.rubric.authoring import CheckNotRun, GraphSummary, finite_array, read_summary

RELU_CASES = np.array([[100, 784, 100], [7, 13, 5]])  # (batch, d_in, d_out); the first is the slides' layer
SOFTMAX_DIMS = np.array([20, 3])  # (d_in, k) for the interface check
TRAIN_IMAGES = 20000  # training images sent to the probe, which trains the student's classifier on them
UNIFORM_STD = 1.0 / np.sqrt(3.0)  # standard deviation of Uniform(-1, 1)


# -- input makers ---------------------------------------------------------------------------------


def relu_inputs(rng, data):
    sent = {"cases": RELU_CASES}
    for index, (batch, d_in, _) in enumerate(RELU_CASES.tolist()):
        sent[f"x_{index}"] = rng.normal(0.0, 1.0, (batch, d_in)).astype("float32")
    return sent, {}


def softmax_graph_inputs(rng, data):
    d_in, k = SOFTMAX_DIMS.tolist()
    labels = np.eye(k, dtype="float32")[rng.integers(0, k, 16)]
    return {"dims": SOFTMAX_DIMS, "x": rng.normal(0.0, 1.0, (16, d_in)).astype("float32"), "labels": labels}, {}


def mnist_training(rng, data):
    """Training images and labels for the grader's own training run; the held test half stays here."""
    train_images, train_labels = data.mnist_train
    chosen = np.sort(rng.choice(len(train_images), TRAIN_IMAGES, replace=False))
    test_images, test_labels = data.mnist_held_test
    return {"train_images": train_images[chosen], "train_labels": train_labels[chosen]}, {"images": test_images, "labels": test_labels}


def conv_inputs(rng, data):
    return {"images": rng.normal(0.0, 1.0, (2, 6, 6, 3)).astype("float32"), "kernel_shape": np.array([3, 3, 3, 4])}, {}


def host_softmax_scores(values, held):
    """x W + b on the held test images (softmax keeps the argmax), from the variables after the grader's training."""
    summary = read_summary(values, "graph")
    if summary.error:
        raise CheckNotRun(f"Calling softmax_classifier(784, 10) in a new graph failed: {summary.error.rstrip('.')}.")
    trained = [v for v in summary.variables if v.trainable and v.value is not None]
    weights = next((v.value for v in trained if v.shape == [784, 10]), None)
    if weights is None:
        weights = next((v.value.T for v in trained if v.shape == [10, 784]), None)  # the transposed convention
    biases = next((v.value for v in trained if v.shape == [10]), None)
    if weights is None or biases is None:
        found = ", ".join(f"{v.name} {_shape_words(v.shape or [])}" for v in trained) or "none"
        raise CheckNotRun(
            f"The grader computes the accuracy from your trained W (784 x 10) and b (10), but softmax_classifier(784, 10) created the trainable variables {found}; your TA will look at it."
        )
    images = held["images"].reshape(len(held["images"]), 784).astype(np.float64) / 255.0
    return images @ weights.astype(np.float64) + biases.astype(np.float64)


# -- helpers ---------------------------------------------------------------------------------------


def _by_shape(summary: GraphSummary, shape: list[int]) -> np.ndarray | None:
    for variable in summary.variables:
        if variable.shape == shape and variable.value is not None:
            return variable.value.astype(np.float64)
    return None


def _dims(values: dict, key: str) -> list[int]:
    return [int(v) for v in np.ravel(values.get(key, []))]


def _shape_words(dims: list[int]) -> str:
    return "[" + ", ".join("None" if d < 0 else str(d) for d in dims) + "]"


def conv2d_same(images: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """tf.nn.conv2d(images, kernel, strides=[1, 1, 1, 1], padding='SAME'), in numpy."""
    kh, kw = kernel.shape[:2]
    top, left = (kh - 1) // 2, (kw - 1) // 2
    padded = np.pad(images, ((0, 0), (top, kh - 1 - top), (left, kw - 1 - left), (0, 0)))
    height, width = images.shape[1:3]
    out = np.zeros(images.shape[:3] + (kernel.shape[3],))
    for a in range(kh):
        for b in range(kw):
            out += np.einsum("nhwc,co->nhwo", padded[:, a : a + height, b : b + width, :], kernel[a, b])
    return out


def _close(actual: np.ndarray, expected: np.ndarray) -> bool:
    scale = max(1.0, float(np.max(np.abs(expected))))
    return actual.shape == expected.shape and bool(np.all(np.abs(actual - expected) <= 1e-4 * scale))


def _relu_case(evidence, check, index: int):
    values = evidence.probe("relu_layers", check).values
    batch, d_in, d_out = RELU_CASES[index].tolist()
    call = f"relu_layer({batch}, {d_in}, {d_out})"
    summary = read_summary(values, f"graphs.{index}")
    assert not summary.error, f"Calling {call} in a new graph failed: {summary.error.rstrip('.')}."
    return values, summary, call, (batch, d_in, d_out)


# -- test functions: relu_layer ----------------------------------------------------------------------


def test_relu_placeholder(evidence, check):
    for index in range(len(RELU_CASES)):
        values, _, call, (batch, d_in, d_out) = _relu_case(evidence, check, index)
        op, dtype = values.get(f"outputs.{index}.x.op"), values.get(f"outputs.{index}.x.dtype")
        dims = _dims(values, f"outputs.{index}.x.dims")
        assert op == "Placeholder", f"In {call}, x is a {op} tensor; it must be a tf.placeholder (its value is fed at run time)."
        assert dtype == "float32", f"In {call}, x has dtype {dtype}; float32 was expected."
        # The slides leave the batch open ([None, d_in]); a fixed batch is the sheet's own wording: both are right.
        assert dims in ([batch, d_in], [-1, d_in]), f"In {call}, x has shape {_shape_words(dims)}; [{batch}, {d_in}] (batch, d_in) or [None, {d_in}] was expected."
        shape = list(np.shape(values.get(f"outputs.{index}.h_value")))
        assert shape == [batch, d_out], f"In {call}, h has shape {shape}; [{batch}, {d_out}] was expected."


def test_relu_init(evidence, check):
    _, summary, call, (_, d_in, d_out) = _relu_case(evidence, check, 0)
    weights, bias = _by_shape(summary, [d_in, d_out]), _by_shape(summary, [d_out])
    assert weights is not None and bias is not None, f"{call} must create W of shape [{d_in}, {d_out}] and b of shape [{d_out}]."
    weights = finite_array(weights, "W")
    low, high, mean, std = weights.min(), weights.max(), weights.mean(), weights.std()
    assert low >= -1.0 and high <= 1.0, f"In {call}, W has values from {low:.3g} to {high:.3g}; W ~ Uniform(-1, 1) stays within [-1, 1] (tf.random_uniform(shape, -1, 1))."
    assert low < -0.95 and high > 0.95 and abs(mean) < 0.02 and abs(std - UNIFORM_STD) < 0.02, (
        f"In {call}, W's values (from {low:.3g} to {high:.3g}, mean {mean:.3g}, standard deviation {std:.3g}) do not look "
        f"like Uniform(-1, 1), which fills [-1, 1] evenly (mean 0, standard deviation {UNIFORM_STD:.3f})."
    )
    assert np.all(bias == 0.0), f"In {call}, b is not zero at initialization (b = 0 on the slides: tf.zeros)."


def test_relu_output(evidence, check):
    inputs = evidence.inputs["relu_layers"]
    for index in range(len(RELU_CASES)):
        values, summary, call, (_, d_in, d_out) = _relu_case(evidence, check, index)
        weights, bias = _by_shape(summary, [d_in, d_out]), _by_shape(summary, [d_out])
        assert weights is not None and bias is not None, f"{call} must create W of shape [{d_in}, {d_out}] and b of shape [{d_out}], so the grader can compute h."
        expected = np.maximum(inputs[f"x_{index}"].astype(np.float64) @ weights + bias, 0.0)
        actual = finite_array(values[f"outputs.{index}.h_value"], f"h of {call}")
        assert _close(actual, expected), f"In {call}, h is not ReLU(x W + b) for the grader's x (the grader computed it from your W and b)."


# -- test functions: softmax_classifier ---------------------------------------------------------------


def test_softmax_graph(evidence, check):
    values = evidence.probe("softmax_graph", check).values
    d_in, k = SOFTMAX_DIMS.tolist()
    call = f"softmax_classifier({d_in}, {k})"
    for name, width in (("x", d_in), ("label", k)):
        op, dtype, dims = values.get(f"{name}.op"), values.get(f"{name}.dtype"), _dims(values, f"{name}.dims")
        assert op == "Placeholder" and dtype == "float32", f"In {call}, {name} must be a float32 tf.placeholder (it is a {dtype} {op})."
        assert dims == [-1, width], f"In {call}, {name} has shape {_shape_words(dims)}; [None, {width}] was expected, so any batch size can be fed."
    inputs = evidence.inputs["softmax_graph"]
    prediction = finite_array(values["prediction_value"], f"prediction of {call}")
    assert prediction.shape == (len(inputs["x"]), k), f"In {call}, prediction has shape {list(prediction.shape)} for {len(inputs['x'])} inputs; [{len(inputs['x'])}, {k}] was expected."
    assert np.all(prediction >= 0) and np.allclose(prediction.sum(axis=1), 1.0, atol=1e-4), (
        f"In {call}, the rows of prediction are not probabilities summing to 1: prediction must be tf.nn.softmax of the scores."
    )
    loss = finite_array(values["cross_entropy_value"], f"cross_entropy of {call}")
    assert loss.ndim == 0, (
        f"In {call}, cross_entropy has shape {list(loss.shape)}; it must be one number, the mean over the batch (tf.reduce_mean(-tf.reduce_sum(label * tf.log(prediction), axis=1)))."
    )
    expected = float(np.mean(-np.sum(inputs["labels"] * np.log(np.clip(prediction, 1e-30, None)), axis=1)))
    assert abs(float(loss) - expected) <= 1e-3 * max(1.0, abs(expected)), (
        f"In {call}, cross_entropy is {float(loss):.5g} where the mean cross-entropy of your prediction is {expected:.5g} (the mean over the batch of -sum(label * log(prediction)))."
    )


def test_softmax_optimizer(evidence, check):
    values = evidence.probe("softmax_graph", check).values
    types = [str(t) for t in np.ravel(np.asarray(values.get("training.types", []), dtype=object))]
    rates = np.ravel(np.asarray(values.get("training.learning_rates", []), dtype=np.float64))
    assert types, "Your softmax_classifier graph has no training update: train_step must be tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)."
    others = sorted({t for t in types if not t.endswith("ApplyGradientDescent")})
    assert not others, f"train_step uses {others[0]}, not plain gradient descent: use tf.train.GradientDescentOptimizer(0.5)."
    assert np.allclose(rates, 0.5), f"train_step uses the learning rate {float(rates[0]):.4g}; the slides use GradientDescentOptimizer(0.5)."


# -- test functions: conv_relu ----------------------------------------------------------------------


def test_conv_output(evidence, check):
    values = evidence.probe("conv_layer", check).values
    inputs = evidence.inputs["conv_layer"]
    kernel_shape = inputs["kernel_shape"].tolist()
    call = f"conv_relu(input, {kernel_shape}, [{kernel_shape[-1]}])"
    summary = read_summary(values, "graph")
    weights, biases = _by_shape(summary, kernel_shape), _by_shape(summary, [kernel_shape[-1]])
    assert weights is not None and biases is not None, f"{call} must create weights of shape {kernel_shape} and biases of shape [{kernel_shape[-1]}]."
    expected = np.maximum(conv2d_same(inputs["images"].astype(np.float64), weights) + biases, 0.0)
    actual = finite_array(values["output"], f"the output of {call}")
    assert _close(actual, expected), f"{call} does not return ReLU(conv2d(input, weights, strides 1, padding SAME) + biases) for the grader's images."
