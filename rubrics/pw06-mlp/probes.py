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


def _flat_images(inputs):
    return inputs["images"].reshape(-1, 784).astype("float32") / 255.0


def ex3_predictions(ns, inputs):
    import numpy as np
    import tensorflow as tf

    images = _flat_images(inputs)
    batches = [np.asarray(ns["forward"](ns["params"], tf.constant(images[i : i + 2000]))) for i in range(0, len(images), 2000)]
    return {"scores": np.concatenate(batches).astype("float32")}


def ex3_lr_schedule(ns, inputs):
    return {"rates": [float(ns["lr_schedule"](int(step))) for step in inputs["steps"].tolist()]}


def ex4_keras(ns, inputs):
    model = ns["keras_model"]
    classes, units, activations = [], [], []
    for layer in model.layers:
        classes.append(type(layer).__name__)
        units.append(int(getattr(layer, "units", -1) or -1))
        activation = getattr(layer, "activation", None)
        activations.append(getattr(activation, "__name__", str(activation)))
    scores = model.predict(_flat_images(inputs), batch_size=1000, verbose=0)
    return {"input_dim": int(model.input_shape[-1]), "classes": classes, "units": units, "activations": activations, "scores": scores}
