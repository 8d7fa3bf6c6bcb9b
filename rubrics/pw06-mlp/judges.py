"""PW06 grader-side code: input makers, formulas and test functions. Runs outside the sandbox only.

Input makers take ``(rng, data)`` and return ``(sent, held)``: arrays the probe receives, and arrays
the grader keeps (evaluation labels). Formulas take ``(inputs, held)``; test functions take
``(evidence, check)`` and fail with an assertion message written for the student.
"""

from __future__ import annotations

import numpy as np

from grader.rubric.authoring import CheckNotRun, finite_array, import_tensorflow, relu, sigmoid, softmax

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


def mnist_held_out(rng, data):
    """Nothing sent: the held half of the MNIST test set stays here, and the metrics are computed on it."""
    images, labels = data.mnist_held_test
    return {}, {"images": images, "labels": labels}


def lr_steps(rng, data):
    return {"steps": np.arange(0, 20001, 250)}, {}


# -- formulas ---------------------------------------------------------------------------------------


def ex1_expected_y_hat(inputs, held):
    w1, w2, b, x1, x2 = inputs["points"].T
    return sigmoid(w1 * x1 + w2 * x2 + b)


def ex1_autodiff_grads(inputs, held):
    """Gradients of y_hat by TensorFlow's automatic differentiation (float64), in the order w1, w2, b, x1, x2."""
    tf = import_tensorflow()
    variables = tf.Variable(inputs["points"].astype(np.float64))
    with tf.GradientTape() as tape:
        w1, w2, b, x1, x2 = tf.unstack(variables, axis=1)
        y_hat = tf.sigmoid(w1 * x1 + w2 * x2 + b)
    return tape.gradient(y_hat, variables).numpy()


def ex3_expected_forward(inputs, held):
    hidden = relu(inputs["X"].astype(np.float64) @ inputs["W1"] + inputs["b1"])
    return sigmoid(hidden @ inputs["W2"] + inputs["b2"])


def ex3_expected_mse(inputs, held):
    return np.mean((inputs["Y"].astype(np.float64) - inputs["Y_hat"]) ** 2, axis=(1, 2))


# -- host-side forward passes (metrics from weights) ------------------------------------------------


def _weight(values, key, shape, what):
    """A weight array of the expected shape; -1 in ``shape`` accepts any size there."""
    if key not in values:
        raise CheckNotRun(f"{what} was not exported (the probe found no {key}).")
    array = finite_array(values[key], what)
    if array.ndim != len(shape) or any(want not in (-1, got) for want, got in zip(shape, array.shape)):
        raise CheckNotRun(f"{what} has shape {list(array.shape)}; {[s if s >= 0 else 'any' for s in shape]} was expected.")
    return array


def _held_images(held):
    return held["images"].reshape(len(held["images"]), -1).astype(np.float64) / 255.0


def ex3_host_scores(values, held):
    """sigmoid(relu(X W1 + b1) W2 + b2) on the held images, with the student's trained params, in float64."""
    W1 = _weight(values, "W1", (784, -1), "params['W1']")
    hidden_units = W1.shape[1]
    b1 = _weight(values, "b1", (hidden_units,), "params['b1']")
    W2 = _weight(values, "W2", (hidden_units, 10), "params['W2']")
    b2 = _weight(values, "b2", (10,), "params['b2']")
    return sigmoid(relu(_held_images(held) @ W1 + b1) @ W2 + b2)


KERAS_ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": relu,
    "sigmoid": sigmoid,
    "softmax": softmax,
    "tanh": np.tanh,
}
PASS_THROUGH_LAYERS = {"InputLayer", "Dropout"}  # identity when predicting
ACTIVATION_LAYERS = {"Activation": None, "ReLU": "relu", "Softmax": "softmax"}  # None: the layer's own activation


def _keras_layers(values):
    classes = [str(name) for name in np.ravel(values["classes"])]
    activations = [str(name) for name in np.ravel(values["activations"])]
    return classes, activations


def _layer_activation(cls, activation):
    return ACTIVATION_LAYERS[cls] or activation


def effective_activations(classes, activations):
    """For each Dense layer (by index), what follows its matrix product up to the next Dense layer.

    ``Dense(300)`` then ``Activation('relu')`` (the Keras ``mnist_mlp`` style) is a ReLU layer, as is
    ``Dense(300, activation='relu')``; Dropout and Flatten in between change nothing.
    """
    effective = {}
    for index, cls in enumerate(classes):
        if cls != "Dense":
            continue
        chain = [activations[index]]
        for later in range(index + 1, len(classes)):
            if classes[later] == "Dense":
                break
            if classes[later] in ACTIVATION_LAYERS:
                chain.append(_layer_activation(classes[later], activations[later]))
        applied = [name for name in chain if name != "linear"]
        collapsed = [name for position, name in enumerate(applied) if position == 0 or applied[position - 1] != name]
        effective[index] = " then ".join(collapsed) or "linear"
    return effective


def ex4_host_scores(values, held):
    """The Keras model's forward pass rebuilt in NumPy from its layer list and weights, on the held images."""
    classes, activations = _keras_layers(values)
    input_shape = [int(size) for size in np.ravel(values["input_shape"])]
    if int(np.prod([size for size in input_shape[1:]])) != 784:
        raise CheckNotRun(f"keras_model takes inputs of shape {input_shape[1:]}, not 784 pixels, so the grader cannot feed it images.")
    x = _held_images(held).reshape([-1] + input_shape[1:])
    for index, cls in enumerate(classes):
        if cls in PASS_THROUGH_LAYERS:
            continue
        if cls == "Flatten":
            x = x.reshape(len(x), -1)
            continue
        if cls == "Dense":
            kernel = _weight(values, f"layer{index}_w0", (x.shape[-1], -1), f"The kernel of Dense layer {index + 1}")
            x = x @ kernel
            if f"layer{index}_w1" in values:
                x = x + _weight(values, f"layer{index}_w1", (kernel.shape[1],), f"The bias of Dense layer {index + 1}")
        elif cls not in ACTIVATION_LAYERS:
            raise CheckNotRun(
                f"The grader cannot rebuild a {cls} layer (layer {index + 1}) from its weights; it rebuilds Dense, Activation, "
                f"ReLU, Softmax, Dropout and Flatten layers. Your TA will look at this model."
            )
        name = activations[index] if cls == "Dense" else _layer_activation(cls, activations[index])
        if name not in KERAS_ACTIVATIONS:
            raise CheckNotRun(f"Layer {index + 1} ({cls}) uses the activation '{name}', which the grader cannot rebuild ({', '.join(KERAS_ACTIVATIONS)}).")
        x = KERAS_ACTIVATIONS[name](x)
    return x.reshape(len(x), -1)


# -- test functions ---------------------------------------------------------------------------------


def test_init_shapes(evidence, check):
    dimensions = evidence.inputs["ex3_shapes"]["dimensions"]
    shapes = finite_array(evidence.value("ex3_shapes", "shapes", check), "The parameter shapes")
    for (D, H, K), row in zip(dimensions.tolist(), shapes.tolist()):
        expected = [[D, H], [H, -1], [H, K], [K, -1]]
        got = [[int(v) for v in shape] for shape in row]
        assert got == expected, f"init_params({D}, {H}, {K}) gave shapes W1 {got[0][:2]}, b1 {got[1][:1]}, W2 {got[2][:2]}, b2 {got[3][:1]}; expected W1 [{D}, {H}], b1 [{H}], W2 [{H}, {K}], b2 [{K}]."
    flags = evidence.value("ex3_shapes", "is_variable", check)
    assert all(int(flag) == 1 for flag in np.ravel(flags)), "init_params must return tf.Variable objects (so GradientTape can train them)."


def test_lr_schedule(evidence, check):
    rates = finite_array(evidence.value("ex3_lr_schedule", "rates", check), "The learning rates")
    assert np.all(rates > 0), "lr_schedule must return positive learning rates."
    assert np.all(np.diff(rates) <= 1e-12), "lr_schedule must never increase along the training."
    assert len(np.unique(np.round(rates, 12))) >= 2, "lr_schedule must decrease at least once (piecewise)."


def test_keras_architecture(evidence, check):
    classes = [str(name) for name in np.ravel(evidence.value("ex4_keras", "classes", check))]
    units = [int(u) for u in np.ravel(evidence.value("ex4_keras", "units", check))]
    activations = [str(name) for name in np.ravel(evidence.value("ex4_keras", "activations", check))]
    input_shape = [int(size) for size in np.ravel(evidence.value("ex4_keras", "input_shape", check))]
    dense = [i for i, name in enumerate(classes) if name == "Dense"]
    assert int(np.prod(input_shape[1:])) == 784, f"keras_model takes inputs of shape {input_shape[1:]}; 784 (flattened 28x28 images) was expected."
    assert len(dense) == 2, f"keras_model has {len(dense)} Dense layers; the MLP of Ex 3 has exactly 2 (hidden and output)."
    hidden, output = dense
    effective = effective_activations(classes, activations)
    assert effective[hidden] == "relu", f"The hidden Dense layer uses '{effective[hidden]}'; ReLU was expected."
    assert units[output] == 10, f"The output layer has {units[output]} units; 10 (one per digit) were expected."
    assert effective[output] in ("sigmoid", "softmax"), f"The output layer uses '{effective[output]}'; sigmoid (or softmax) was expected."
