"""Generate the TF-basics notebooks: student template, reference solution and sample submissions.

    python assignments/tf-basics/make_notebooks.py

writes
    assignments/tf-basics/tf-basics.ipynb          student template
    reference/tf-basics/tf-basics.ipynb            reference solution
    assignments/tf-basics/samples/<student>.ipynb  sample submissions (the reference with targeted changes)

The exercises follow the "Tensorflow Basics" slides: ``ex1`` the ReLU layer, ``ex2`` the softmax classifier
on MNIST, ``ex3`` variable sharing with variable scopes. Setup cells have no tag. Notebooks use
``tensorflow.compat.v1`` with eager execution disabled, as the slides do. Saved notebooks have no outputs.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))

from notebook_builder import Cell, code, derive, edit, md, replace, with_self_checks, write  # noqa: E402

NAME = "tf-basics"
TEMPLATE_PATH = HERE / f"{NAME}.ipynb"
REFERENCE_PATH = REPO / "reference" / NAME / f"{NAME}.ipynb"
SAMPLES_DIR = HERE / "samples"


# ------------------------------------------------------------------------------------------------
# Reference solution
# ------------------------------------------------------------------------------------------------

INTRO = r"""
# TensorFlow basics: graphs, sessions, training and variable sharing

The exercises of the "Tensorflow Basics" slides, in TensorFlow 1 style (`tensorflow.compat.v1`, eager
execution disabled): build a graph, run it in a session, train a softmax classifier on MNIST, and share
variables with `tf.variable_scope` and `tf.get_variable`.

**How this notebook is graded.** Run it top to bottom. The grader then calls your functions itself, each
time in a **new graph**, so keep these names and build everything inside the functions:

| exercise | names the grader uses |
|---|---|
| Ex 1 | `relu_layer(batch, d_in, d_out)` → `(x, h)` |
| Ex 2 | `softmax_classifier(d_in, k)` → `(x, label, prediction, cross_entropy, train_step)` |
| Ex 3 | `conv_relu(input, kernel_shape, bias_shape)`, `my_image_filter(input_images)` |

The grader **trains your classifier itself** (its own number of steps and batches) and measures its test
accuracy on test images your notebook never sees (while grading, `mnist.load_data()` returns about half of
the MNIST test set, with its labels), so never train on the test set. Keep your own training short (a few seconds).
"""

SETUP = r"""
import numpy as np
import tensorflow.compat.v1 as tf
from grader.datasets import mnist

tf.disable_eager_execution()  # graphs and sessions, as on the slides
np.random.seed(0)
tf.set_random_seed(0)
print("TensorFlow", tf.__version__)
"""

DATA = r"""
# MNIST: 60000 training and 10000 test images of 28x28 pixels (uint8), labels 0..9
# (while grading: about 5000 of the test images, with their labels; the grader keeps the others)
(x_train, y_train), (x_test, y_test) = mnist.load_data()
X_train = x_train.reshape(-1, 784).astype(np.float32) / 255.0
X_test = x_test.reshape(-1, 784).astype(np.float32) / 255.0
Y_train = np.eye(10, dtype=np.float32)[y_train]  # one-hot labels
print("train:", X_train.shape, Y_train.shape, " test:", X_test.shape)
"""

EX1_MD = r"""
## Exercise 1 – $h = \mathrm{ReLU}(Wx + b)$ as a graph

Write `relu_layer(batch, d_in, d_out)` that builds, in the current default graph:

1. the weights `W` ~ Uniform(-1, 1) of shape `(d_in, d_out)` and the bias `b = 0` of shape `(d_out,)`,
2. the input placeholder `x` (float32) of shape `(batch, d_in)` (or `(None, d_in)`, as on the slides),
3. the flow graph `h = relu(x W + b)`,

and returns `(x, h)`. Then list the graph's operations and run `h` in a session, as on the slides.
"""

EX1_CODE = r"""
def relu_layer(batch, d_in, d_out):
    b = tf.Variable(tf.zeros((d_out,)))
    W = tf.Variable(tf.random_uniform((d_in, d_out), -1, 1))
    x = tf.placeholder(tf.float32, (batch, d_in))
    h = tf.nn.relu(tf.matmul(x, W) + b)
    return x, h
"""

EX1_RUN = r"""
# "But where is the graph?": new nodes are built into the default graph
relu_graph = tf.Graph()
with relu_graph.as_default():
    x, h = relu_layer(100, 784, 100)
    print([op.name for op in tf.get_default_graph().get_operations()])
    init = tf.global_variables_initializer()

# "How do we run it?": a session, the initializer, then sess.run(fetches, feeds)
with tf.Session(graph=relu_graph) as sess:
    sess.run(init)
    out = sess.run(h, {x: np.random.random((100, 784))})
print("h:", out.shape, " fraction of zeros after the ReLU:", np.mean(out == 0))
"""

EX2_MD = r"""
## Exercise 2 – a softmax classifier trained with gradient descent

Write `softmax_classifier(d_in, k)` that builds, in the current default graph:

- placeholders `x` (float32, shape `[None, d_in]`) and `label` (float32, one-hot, shape `[None, k]`),
- `prediction = tf.nn.softmax(...)` of an affine function of `x`,
- `cross_entropy = tf.reduce_mean(-tf.reduce_sum(label * tf.log(prediction), axis=1))`, one number,
- `train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)`,

and returns `(x, label, prediction, cross_entropy, train_step)`. Then train it on MNIST with `sess.run(train_step, feeds)`
on batches of 100 images. The grader trains it the same way (1000 steps) and measures the test accuracy.
"""

EX2_CODE = r"""
def softmax_classifier(d_in, k):
    x = tf.placeholder(tf.float32, [None, d_in])
    label = tf.placeholder(tf.float32, [None, k])
    W = tf.Variable(tf.zeros([d_in, k]))
    b = tf.Variable(tf.zeros([k]))
    prediction = tf.nn.softmax(tf.matmul(x, W) + b)
    cross_entropy = tf.reduce_mean(-tf.reduce_sum(label * tf.log(prediction), reduction_indices=[1]))
    train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)
    return x, label, prediction, cross_entropy, train_step
"""

EX2_TRAIN = r"""
# Training the model: 1. create a session, 2. build a training schedule, 3. run train_step
softmax_graph = tf.Graph()
with softmax_graph.as_default():
    x, label, prediction, cross_entropy, train_step = softmax_classifier(784, 10)
    init = tf.global_variables_initializer()

sess = tf.Session(graph=softmax_graph)
sess.run(init)
order = np.random.permutation(len(X_train))
for step in range(1000):
    batch = order[(step * 100) % len(X_train):][:100]
    _, loss = sess.run([train_step, cross_entropy], {x: X_train[batch], label: Y_train[batch]})
    if step % 200 == 0:
        print(f"step {step:4d}: cross-entropy {loss:.3f}")
"""

EX2_EVAL = r"""
train_accuracy = np.mean(np.argmax(sess.run(prediction, {x: X_train[:10000]}), axis=1) == y_train[:10000])
print(f"training accuracy: {100 * train_accuracy:.2f} %")
test_accuracy = np.mean(np.argmax(sess.run(prediction, {x: X_test}), axis=1) == y_test)
print(f"test accuracy: {100 * test_accuracy:.2f} %")
sess.close()
"""

EX3_MD = r"""
## Exercise 3 – variable sharing with variable scopes

Keeping the variables in a `variables_dict` and passing it to `my_image_filter` works, but is bad for
encapsulation. Write instead, as on the slides:

- `conv_relu(input, kernel_shape, bias_shape)`: creates `weights` (random normal) and `biases` (zero) with
  `tf.get_variable`, and returns `relu(conv2d(input, weights, strides=[1, 1, 1, 1], padding='SAME') + biases)`;
- `my_image_filter(input_images)`: two `conv_relu` layers with kernels `[5, 5, 32, 32]` and biases `[32]`, the
  first in `tf.variable_scope("conv1")`, the second in `tf.variable_scope("conv2")`.

Calling `my_image_filter` twice inside a scope that reuses its variables must create exactly four variables:
`conv1/weights`, `conv1/biases`, `conv2/weights`, `conv2/biases`.
"""

EX3_CODE = r"""
def conv_relu(input, kernel_shape, bias_shape):
    # Create variable named "weights".
    weights = tf.get_variable("weights", kernel_shape, initializer=tf.random_normal_initializer())
    # Create variable named "biases".
    biases = tf.get_variable("biases", bias_shape, initializer=tf.constant_initializer(0.0))
    conv = tf.nn.conv2d(input, weights, strides=[1, 1, 1, 1], padding="SAME")
    return tf.nn.relu(conv + biases)


def my_image_filter(input_images):
    with tf.variable_scope("conv1"):
        # Variables created here will be named "conv1/weights", "conv1/biases".
        relu1 = conv_relu(input_images, [5, 5, 32, 32], [32])
    with tf.variable_scope("conv2"):
        # Variables created here will be named "conv2/weights", "conv2/biases".
        return conv_relu(relu1, [5, 5, 32, 32], [32])
"""

EX3_RUN = r"""
# The 2 calls to my_image_filter() share the same variables
filter_graph = tf.Graph()
with filter_graph.as_default():
    image1 = tf.placeholder(tf.float32, [1, 16, 16, 32])
    image2 = tf.placeholder(tf.float32, [1, 16, 16, 32])
    with tf.variable_scope("image_filters") as scope:
        result1 = my_image_filter(image1)
        scope.reuse_variables()
        result2 = my_image_filter(image2)
    print([(v.name, v.shape.as_list()) for v in tf.global_variables()])
    init = tf.global_variables_initializer()

with tf.Session(graph=filter_graph) as sess:
    sess.run(init)
    same = np.random.random((1, 16, 16, 32))
    out1, out2 = sess.run([result1, result2], {image1: same, image2: same})
print("same input, same output:", np.allclose(out1, out2))
"""

EX3_ANSWER = r"""
### Ex 3 – questions

1. *Why is the `variables_dict` way bad for encapsulation?* The code that builds the model must know and create
   every variable of `my_image_filter` outside of it, and carry the dict to every call; changing the filter (a
   third layer) means changing the dict everywhere. With `get_variable`, the function owns its variables and
   finds them by name.
2. *What do `reuse=True` and `reuse=False` do when `foo/v` already exists?* With `reuse=True`, `get_variable("v")`
   returns the existing `foo/v` (shared). With `reuse=False` it raises a `ValueError` ("Variable foo/v already
   exists"), which protects against sharing by accident.
"""


def reference_cells() -> list[Cell]:
    return [
        md("intro", INTRO),
        code("setup", SETUP),
        code("data", DATA),
        md("ex1-md", EX1_MD, "ex1"),
        code("ex1-code", EX1_CODE, "ex1"),
        code("ex1-run", EX1_RUN, "ex1"),
        md("ex2-md", EX2_MD, "ex2"),
        code("ex2-code", EX2_CODE, "ex2"),
        code("ex2-train", EX2_TRAIN, "ex2"),
        code("ex2-eval", EX2_EVAL, "ex2"),
        md("ex3-md", EX3_MD, "ex3"),
        code("ex3-code", EX3_CODE, "ex3"),
        code("ex3-run", EX3_RUN, "ex3"),
        md("ex3-answer", EX3_ANSWER, "ex3"),
    ]


# ------------------------------------------------------------------------------------------------
# Template: the reference with the answers taken out
# ------------------------------------------------------------------------------------------------

TEMPLATE_REPLACEMENTS = {
    "ex1-code": r"""
def relu_layer(batch, d_in, d_out):
    # W ~ Uniform(-1, 1) of shape (d_in, d_out), b = 0 of shape (d_out,), x: float32 placeholder (batch, d_in)
    # return x, h   with h = relu(x W + b)
    # YOUR CODE HERE
    raise NotImplementedError
""",
    "ex2-code": r"""
def softmax_classifier(d_in, k):
    # x: [None, d_in], label: [None, k] (float32 placeholders); prediction = tf.nn.softmax(...)
    # cross_entropy: mean over the batch; train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)
    # return x, label, prediction, cross_entropy, train_step
    # YOUR CODE HERE
    raise NotImplementedError
""",
    "ex3-code": r"""
def conv_relu(input, kernel_shape, bias_shape):
    # weights and biases with tf.get_variable; relu(conv2d(input, weights, strides 1, padding 'SAME') + biases)
    # YOUR CODE HERE
    raise NotImplementedError


def my_image_filter(input_images):
    # two conv_relu layers ([5, 5, 32, 32] kernels, [32] biases) in the variable scopes "conv1" and "conv2"
    # YOUR CODE HERE
    raise NotImplementedError
""",
    "ex3-answer": r"""
### Ex 3 – questions

1. *Why is the `variables_dict` way bad for encapsulation?* YOUR ANSWER HERE
2. *What do `reuse=True` and `reuse=False` do when `foo/v` already exists?* YOUR ANSWER HERE
""",
}


def template_cells() -> list[Cell]:
    return derive(reference_cells(), TEMPLATE_REPLACEMENTS)


# ------------------------------------------------------------------------------------------------
# Samples (student id = file name), each the reference with targeted changes
# ------------------------------------------------------------------------------------------------


def sample_reference():
    return reference_cells()


def sample_alt_correct():
    """Correct, written differently: a [None, d_in] placeholder as on the slides, get_variable with initializers, logits + softmax_cross_entropy_with_logits_v2,
    small random weights, bias_add, a helper for the layers."""
    cells = reference_cells()
    replace(cells, "ex1-code", r"""
def relu_layer(batch, d_in, d_out):
    x = tf.placeholder("float32", shape=[None, d_in], name="x")  # the slides' open batch dimension
    with tf.variable_scope(None, default_name="relu_layer"):
        W = tf.get_variable("W", [d_in, d_out], initializer=tf.random_uniform_initializer(-1.0, 1.0))
        b = tf.get_variable("b", [d_out], initializer=tf.zeros_initializer())
    return x, tf.maximum(tf.nn.bias_add(x @ W, b), 0.0)
""")
    replace(cells, "ex2-code", r"""
def softmax_classifier(d_in, k):
    x = tf.placeholder(tf.float32, shape=(None, d_in), name="images")
    label = tf.placeholder(tf.float32, shape=(None, k), name="one_hot")
    W = tf.Variable(tf.truncated_normal([d_in, k], stddev=0.01), name="W")
    b = tf.Variable(tf.constant(0.1, shape=[k]), name="b")
    logits = tf.matmul(x, W) + b
    prediction = tf.nn.softmax(logits)
    cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=label, logits=logits))
    optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.5)
    train_step = optimizer.minimize(cross_entropy)
    return x, label, prediction, cross_entropy, train_step
""")
    replace(cells, "ex3-code", r"""
def conv_relu(input, kernel_shape, bias_shape):
    weights = tf.get_variable("weights", shape=kernel_shape, dtype=tf.float32,
                              initializer=tf.random_normal_initializer(stddev=0.1))
    biases = tf.get_variable("biases", shape=bias_shape, initializer=tf.zeros_initializer())
    return tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(input, weights, [1, 1, 1, 1], "SAME"), biases))


LAYERS = [("conv1", [5, 5, 32, 32], [32]), ("conv2", [5, 5, 32, 32], [32])]


def my_image_filter(input_images):
    out = input_images
    for scope_name, kernel_shape, bias_shape in LAYERS:
        with tf.variable_scope(scope_name):
            out = conv_relu(out, kernel_shape, bias_shape)
    return out
""")
    return cells


def sample_relu_normal_init():
    """W drawn from a standard normal instead of Uniform(-1, 1)."""
    cells = reference_cells()
    edit(cells, "ex1-code", "tf.random_uniform((d_in, d_out), -1, 1)", "tf.random_normal((d_in, d_out))")
    return cells


def sample_sum_loss():
    """The slides' first loss: the per-example cross-entropy vector, not its mean. Minimizing the vector sums the
    gradients over the batch: the step is 100 times too large and the training diverges to NaN."""
    cells = reference_cells()
    edit(cells, "ex2-code", "cross_entropy = tf.reduce_mean(-tf.reduce_sum(label * tf.log(prediction), reduction_indices=[1]))",
         "cross_entropy = -tf.reduce_sum(label * tf.log(prediction), axis=1)")
    edit(cells, "ex2-train", "    _, loss = sess.run([train_step, cross_entropy], {x: X_train[batch], label: Y_train[batch]})",
         "    _, losses = sess.run([train_step, cross_entropy], {x: X_train[batch], label: Y_train[batch]})\n    loss = losses.mean()")
    return cells


def sample_adam_optimizer():
    """Adam instead of the slides' GradientDescentOptimizer(0.5); the classifier still trains well."""
    cells = reference_cells()
    edit(cells, "ex2-code", "tf.train.GradientDescentOptimizer(0.5)", "tf.train.AdamOptimizer(0.001)")
    return cells


def sample_tf_variable_in_conv():
    """conv_relu creates its variables with tf.Variable: every call makes new ones, nothing is shared."""
    cells = reference_cells()
    edit(cells, "ex3-code", 'weights = tf.get_variable("weights", kernel_shape, initializer=tf.random_normal_initializer())',
         'weights = tf.Variable(tf.random_normal(kernel_shape), name="weights")')
    edit(cells, "ex3-code", 'biases = tf.get_variable("biases", bias_shape, initializer=tf.constant_initializer(0.0))',
         'biases = tf.Variable(tf.zeros(bias_shape), name="biases")')
    return cells


def sample_crash_in_ex2():
    """A typo in the Ex 2 cell (tf.placeholer) raises before softmax_classifier is defined; Ex 1 and Ex 3 are fine."""
    cells = reference_cells()
    edit(cells, "ex2-code", "def softmax_classifier(d_in, k):\n",
         "example_input = tf.placeholer(tf.float32, [None, 784])\n\n\ndef softmax_classifier(d_in, k):\n")
    return cells


SAMPLES = {
    "reference": sample_reference,
    "alt_correct": sample_alt_correct,
    "relu_normal_init": sample_relu_normal_init,
    "sum_loss": sample_sum_loss,
    "adam_optimizer": sample_adam_optimizer,
    "tf_variable_in_conv": sample_tf_variable_in_conv,
    "crash_in_ex2": sample_crash_in_ex2,
    "untouched_template": template_cells,
}


def main() -> None:
    write(with_self_checks(template_cells(), "tf-basics"), TEMPLATE_PATH, REPO)
    write(reference_cells(), REFERENCE_PATH, REPO)
    for student, make in SAMPLES.items():
        write(make(), SAMPLES_DIR / f"{student}.ipynb", REPO)


if __name__ == "__main__":
    main()
