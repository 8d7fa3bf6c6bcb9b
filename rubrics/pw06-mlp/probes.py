"""PW06 probes: run in the student's kernel after their notebook; return plain numbers and arrays only.

Each function gets the kernel namespace and the grader-chosen inputs (numpy arrays). Verdicts are
never computed here: the grader judges what these return, outside the sandbox.
"""

GRADIENT_KEYS = ("w1", "w2", "b", "x1", "x2")


def ex1_values(ns, inputs):
    y_hats, grads = [], []
    for w1, w2, b, x1, x2 in inputs["points"].tolist():
        y_hat, gradient = ns["lr_forward_backward"](w1, w2, b, x1, x2)
        y_hats.append(float(y_hat))
        grads.append([float(gradient[key]) for key in GRADIENT_KEYS])
    return {"y_hat": y_hats, "grads": grads}


def ex3_shapes(ns, inputs):
    import tensorflow as tf

    shapes, variables = [], []
    for D, H, K in inputs["dimensions"].tolist():
        params = ns["init_params"](int(D), int(H), int(K))
        row = []
        for key in ("W1", "b1", "W2", "b2"):
            shape = list(params[key].shape)
            row.append((shape + [-1, -1])[:2] if len(shape) <= 2 else [-2, -2])
            variables.append(int(isinstance(params[key], tf.Variable)))
        shapes.append(row)
    return {"shapes": shapes, "is_variable": variables}


def ex3_forward(ns, inputs):
    import tensorflow as tf

    params = {key: tf.Variable(inputs[key]) for key in ("W1", "b1", "W2", "b2")}
    return {"output": ns["forward"](params, tf.constant(inputs["X"]))}


def ex3_mse(ns, inputs):
    import tensorflow as tf

    losses = [float(ns["mse_loss"](tf.constant(y), tf.constant(y_hat))) for y, y_hat in zip(inputs["Y"], inputs["Y_hat"])]
    return {"losses": losses}


PARAM_KEYS = ("W1", "b1", "W2", "b2")


def ex3_params(ns, inputs):
    """The trained weights only: the grader computes the error rate from them, on images it never sends."""
    params = ns["params"]
    missing = [key for key in PARAM_KEYS if key not in params]
    if missing:
        raise ValueError(f"params has no {missing[0]!r} (init_params must return W1, b1, W2, b2)")
    return {key: params[key] for key in PARAM_KEYS}


def ex3_lr_schedule(ns, inputs):
    return {"rates": [float(ns["lr_schedule"](int(step))) for step in inputs["steps"].tolist()]}


def ex4_keras(ns, inputs):
    """The layer configuration and trained weights (no prediction: the grader rebuilds the forward pass)."""
    model = ns["keras_model"]
    classes, units, activations, weights = [], [], [], {}
    for index, layer in enumerate(model.layers):
        classes.append(type(layer).__name__)
        units.append(int(getattr(layer, "units", -1) or -1))
        activation = getattr(layer, "activation", None)
        activations.append(getattr(activation, "__name__", str(activation)))
        for number, array in enumerate(layer.get_weights()):
            weights[f"layer{index}_w{number}"] = array
    input_shape = [int(size) if size else -1 for size in model.input_shape]
    return {"input_shape": input_shape, "classes": classes, "units": units, "activations": activations, **weights}
