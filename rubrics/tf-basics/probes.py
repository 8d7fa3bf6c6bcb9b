"""TF-basics probes: build the student's TF1 graphs in fresh graphs, train the classifier, return plain data.

The softmax classifier is trained here by the grader (its own steps, batches and training images), so
every student is measured the same way; its trained variables go back to the grader, which predicts the
held test images itself (they never come here).
"""

import numpy as np

from grader.probes import defined, tf1

TRAIN_STEPS = 1000
BATCH_SIZE = 100


def relu_layers(ns, inputs):
    graphs, outputs = {}, {}
    for index, (batch, d_in, d_out) in enumerate(inputs["cases"].tolist()):
        built = tf1.run_in_fresh_graph(defined(ns, "relu_layer"), int(batch), int(d_in), int(d_out))
        session = None
        if built.ok:
            x, h = built.value()
            outputs[str(index)] = {"x": tf1.tensor_summary(x), "h": tf1.tensor_summary(h)}
            session = tf1.initialized_session(built.graph)
            outputs[str(index)]["h_value"] = session.run(h, {x: inputs[f"x_{index}"]})
        graphs[str(index)] = tf1.graph_summary(built, session)
        if session is not None:
            session.close()
    return {"graphs": graphs, "outputs": outputs}


def softmax_graph(ns, inputs):
    """The classifier's tensors on small grader dimensions: placeholders, prediction and loss values."""
    d_in, k = (int(value) for value in inputs["dims"].tolist())
    built = tf1.run_in_fresh_graph(defined(ns, "softmax_classifier"), d_in, k)
    x, label, prediction, cross_entropy, train_step = built.value()
    tensors = {"x": x, "label": label, "prediction": prediction, "cross_entropy": cross_entropy, "train_step": train_step}
    summary = {name: tf1.tensor_summary(value) for name, value in tensors.items()}
    with tf1.initialized_session(built.graph) as session:
        feeds = {x: inputs["x"], label: inputs["labels"]}
        summary["prediction_value"], summary["cross_entropy_value"] = session.run([prediction, cross_entropy], feeds)
    summary["training"] = tf1.training_ops(built.graph)
    return summary


def softmax_accuracy(ns, inputs):
    """Train the student's classifier for a fixed number of steps, then export its variables (the grader predicts)."""
    built = tf1.run_in_fresh_graph(defined(ns, "softmax_classifier"), 784, 10)
    x, label, _, _, train_step = built.value()
    images = inputs["train_images"].reshape(-1, 784).astype(np.float32) / 255.0
    targets = np.eye(10, dtype=np.float32)[inputs["train_labels"]]
    order = np.random.default_rng(0).permutation(len(images))
    with tf1.initialized_session(built.graph) as session:
        for step in range(TRAIN_STEPS):
            batch = order[(step * BATCH_SIZE) % len(images) :][:BATCH_SIZE]
            session.run(train_step, {x: images[batch], label: targets[batch]})
        return {"graph": tf1.graph_summary(built, session)}


def conv_layer(ns, inputs):
    student_conv_relu = defined(ns, "conv_relu")

    def conv_relu():  # named after the student's function: its errors are reported as conv_relu's
        import tensorflow as tf

        images = tf.compat.v1.placeholder(tf.float32, inputs["images"].shape)
        kernel_shape = [int(v) for v in inputs["kernel_shape"].tolist()]
        return images, student_conv_relu(images, kernel_shape, [kernel_shape[-1]])

    built = tf1.run_in_fresh_graph(conv_relu)
    images, output = built.value()
    with tf1.initialized_session(built.graph) as session:
        value = session.run(output, {images: inputs["images"]})
        return {"graph": tf1.graph_summary(built, session), "output": value}


def image_filter(ns, inputs):
    """my_image_filter called twice under a reusing scope, as on the slides: four variables, shared."""
    student_filter = defined(ns, "my_image_filter")

    def my_image_filter():  # named after the student's function: its errors are reported as my_image_filter's
        import tensorflow as tf

        image1 = tf.compat.v1.placeholder(tf.float32, [1, 8, 8, 32])
        image2 = tf.compat.v1.placeholder(tf.float32, [1, 8, 8, 32])
        with tf.compat.v1.variable_scope("image_filters") as scope:
            result1 = student_filter(image1)
            scope.reuse_variables()
            result2 = student_filter(image2)
        return result1, result2

    return {"graph": tf1.graph_summary(tf1.run_in_fresh_graph(my_image_filter))}
