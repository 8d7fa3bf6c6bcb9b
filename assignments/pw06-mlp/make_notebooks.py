"""Generate the PW06 notebooks: student template, reference solution and sample submissions.

    python assignments/pw06-mlp/make_notebooks.py

writes
    assignments/pw06-mlp/pw06-mlp.ipynb           student template
    reference/pw06-mlp/pw06-mlp.ipynb             reference solution
    assignments/pw06-mlp/samples/<student>.ipynb  sample submissions, each the reference with targeted changes

Every exercise cell (markdown too) carries the tag ``ex1`` ... ``ex5``; setup cells have no tag.
Notebooks import only tensorflow, numpy, math and grader.datasets. Saved notebooks have no outputs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import sys

import nbformat
from nbformat import v4

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))

from notebook_builder import with_self_checks  # noqa: E402  (its cells have the same fields as Cell below)
TEMPLATE_PATH = HERE / "pw06-mlp.ipynb"
REFERENCE_PATH = REPO / "reference" / "pw06-mlp" / "pw06-mlp.ipynb"
SAMPLES_DIR = HERE / "samples"


@dataclass
class Cell:
    key: str  # stable name used to address the cell when deriving variants (also the cell id)
    kind: str  # "markdown" or "code"
    source: str
    tags: list[str] = field(default_factory=list)


def md(key, source, tag=None):
    return Cell(key, "markdown", source.strip("\n"), [tag] if tag else [])


def code(key, source, tag=None):
    return Cell(key, "code", source.strip("\n"), [tag] if tag else [])


# ------------------------------------------------------------------------------------------------
# Reference solution
# ------------------------------------------------------------------------------------------------

INTRO = r"""
# PW06 – Deep learning frameworks: an MLP in TensorFlow 2, then in Keras

**Objectives.** Understand how TensorFlow 2 works as a computational-graph framework: build the graph of a
multi-layer perceptron (MLP) with low-level TensorFlow, train it on MNIST, then build the same MLP with Keras.

**How this notebook is graded.** Run it top to bottom. The grader runs your whole notebook, then calls the
functions and reads the variables named below, so keep these names:

| exercise | names the grader uses |
|---|---|
| Ex 1 | `lr_forward_backward(w1, w2, b, x1, x2)` → `(y_hat, grads)` |
| Ex 3 | `init_params(D, H, K)`, `forward(params, X)`, `mse_loss(Y, Y_hat)`, the trained `params`, optional `lr_schedule(step)` |
| Ex 4 | the trained `keras_model` |

While grading, `mnist.load_data()` returns about half of the MNIST test set as `(x_test, y_test)`, with its
labels; the grader measures your test error itself, from your trained weights (`params`, `keras_model`), on
the other half, which never enters your notebook. Never train on the test set, and do not `assert` anything
about the test accuracy. Keep the training short (a few seconds per model on a
laptop CPU): the whole notebook must run in a few minutes at most.
"""

SETUP = r"""
import math

import numpy as np
import tensorflow as tf
from grader.datasets import mnist

tf.random.set_seed(6)
np.random.seed(6)
print("TensorFlow", tf.__version__)
"""

DATA = r"""
# MNIST: 60000 training and 10000 test images of 28x28 pixels (uint8), labels 0..9
# (while grading: about 5000 of the test images, with their labels; the grader keeps the others)
(x_train, y_train), (x_test, y_test) = mnist.load_data()

# inputs: images flattened to 784 values in [0, 1]; targets: one-hot vectors for the MSE loss
X_train = x_train.reshape(-1, 784).astype("float32") / 255.0
X_test = x_test.reshape(-1, 784).astype("float32") / 255.0
Y_train = np.eye(10, dtype="float32")[y_train]
Y_test = np.eye(10, dtype="float32")[y_test]


def error_rate(scores, labels):
    # fraction of images whose highest score is not the true class
    return float(np.mean(np.argmax(scores, axis=1) != labels))


print("train:", X_train.shape, Y_train.shape, " test:", X_test.shape, Y_test.shape)
"""

EX1_MD = r"""
## Exercise 1 – Computational graph (pen & paper)

The logistic regression (LR) outputs values between 0 and 1. With an input space of 2 dimensions (eq. 2):

$$\hat{y} = h_{\theta}(x_1, x_2) = \frac{1}{1 + \exp(-(w_1 x_1 + w_2 x_2 + b))}$$

a) Propose a computational graph for eq. 2, with operators as granular as you can (about 7 nodes).
b) On the graph, illustrate the forward pass with numerical values.
c) Illustrate the back-propagation of a gradient of 1.0 at the output of the graph, with the values of b).

Then implement your graph in `lr_forward_backward(w1, w2, b, x1, x2)`: compute the forward pass node by node,
then the backward pass node by node (chain rule, plain Python `math`, **no automatic differentiation**).
Return `(y_hat, grads)`: `y_hat` a Python float and `grads` a dict of Python floats with the keys
`"w1", "w2", "b", "x1", "x2"` (the gradients of `y_hat`, for an upstream gradient of 1.0).
"""

EX1_GRAPH_ANSWER = r"""
### Ex 1 a-c – my graph (forward values in the middle column, gradients on the right)

Example: $w_1 = 2,\; x_1 = -1,\; w_2 = -3,\; x_2 = -2,\; b = -3$. (Eq. 1 on the sheet has a sign slip: the
exponent is $-(\mathbf{w}^T\mathbf{x} + b)$, as in eq. 2.)

| node | operation | forward value | local gradient | gradient of $\hat y$ (backward) |
|---|---|---|---|---|
| 1 | $a = w_1 \cdot x_1$ | $-2$ | $\partial a/\partial w_1 = x_1,\ \partial a/\partial x_1 = w_1$ | $\partial\hat y/\partial w_1 = 0.1966 \cdot (-1) = -0.1966$, $\partial\hat y/\partial x_1 = 0.1966 \cdot 2 = 0.3932$ |
| 2 | $c = w_2 \cdot x_2$ | $6$ | $\partial c/\partial w_2 = x_2,\ \partial c/\partial x_2 = w_2$ | $\partial\hat y/\partial w_2 = 0.1966 \cdot (-2) = -0.3932$, $\partial\hat y/\partial x_2 = 0.1966 \cdot (-3) = -0.5898$ |
| 3 | $d = a + c$ | $4$ | $1,\ 1$ | $\partial\hat y/\partial a = \partial\hat y/\partial c = 0.1966$ |
| 4 | $z = d + b$ | $1$ | $1,\ 1$ | $\partial\hat y/\partial d = \partial\hat y/\partial b = 0.1966$ |
| 5 | $e = -z$ (times $-1$) | $-1$ | $-1$ | $\partial\hat y/\partial z = -0.1966 \cdot (-1) = 0.1966$ |
| 6 | $f = \exp(e)$ | $0.3679$ | $\exp(e) = 0.3679$ | $\partial\hat y/\partial e = -0.5344 \cdot 0.3679 = -0.1966$ |
| 7 | $g = 1 + f$ | $1.3679$ | $1$ | $\partial\hat y/\partial f = -0.5344$ |
| 8 | $\hat y = 1/g$ | $0.7311$ | $-1/g^2 = -0.5344$ | $\partial\hat y/\partial g = 1.0 \cdot (-0.5344) = -0.5344$ |

The backward pass starts with $\partial\hat y/\partial\hat y = 1.0$ at node 8 and goes up to the inputs:
each node multiplies the incoming gradient by its local gradient. The add nodes (3, 4) copy the gradient to
both inputs, the multiply nodes (1, 2) send each input the gradient times the *other* input. Nodes 5-8
together are the sigmoid, whose local gradient is $\sigma(z)(1-\sigma(z)) = 0.7311 \cdot 0.2689 = 0.1966$.
"""

EX1_CODE = r"""
def lr_forward_backward(w1, w2, b, x1, x2):
    # forward pass, one line per node of the graph
    a = w1 * x1          # node 1: multiply
    c = w2 * x2          # node 2: multiply
    d = a + c            # node 3: add
    z = d + b            # node 4: add the bias
    e = -z               # node 5: times -1
    f = math.exp(e)      # node 6: exp
    g = 1.0 + f          # node 7: add 1
    y_hat = 1.0 / g      # node 8: reciprocal

    # backward pass: upstream gradient 1.0 at the output, chain rule node by node
    dy_hat = 1.0
    dg = dy_hat * (-1.0 / g**2)   # node 8: d(1/g)/dg = -1/g^2
    df = dg * 1.0                 # node 7: d(1+f)/df = 1
    de = df * f                   # node 6: d(exp(e))/de = exp(e)
    dz = de * -1.0                # node 5: d(-z)/dz = -1
    dd = dz * 1.0                 # node 4: the add gate distributes the gradient
    db = dz * 1.0
    da = dd * 1.0                 # node 3
    dc = dd * 1.0
    dw1 = da * x1                 # node 1: the multiply gate swaps its inputs
    dx1 = da * w1
    dw2 = dc * x2                 # node 2
    dx2 = dc * w2

    grads = {"w1": dw1, "w2": dw2, "b": db, "x1": dx1, "x2": dx2}
    return y_hat, grads
"""

EX1_DEMO = r"""
# the numerical example of b) and c)
y_hat, grads = lr_forward_backward(w1=2.0, w2=-3.0, b=-3.0, x1=-1.0, x2=-2.0)
print(f"y_hat = {y_hat:.4f}")
for name, value in grads.items():
    print(f"d y_hat / d {name:2s} = {value:+.4f}")
"""

EX1_CHECK = r"""
# self-check: compare your gradients with TensorFlow's automatic differentiation on a few random points
rng = np.random.default_rng(1)
points = rng.uniform(-2.0, 2.0, size=(5, 5))
point_vars = tf.Variable(points)
with tf.GradientTape() as tape:
    pw1, pw2, pb, px1, px2 = tf.unstack(point_vars, axis=1)
    y_auto = tf.sigmoid(pw1 * px1 + pw2 * px2 + pb)
grads_auto = tape.gradient(y_auto, point_vars).numpy()

results = [lr_forward_backward(*row) for row in points.tolist()]
y_manual = np.array([y for y, _ in results])
grads_manual = np.array([[g[k] for k in ("w1", "w2", "b", "x1", "x2")] for _, g in results])
print("max |y_hat difference|    :", np.max(np.abs(y_manual - y_auto.numpy())))
print("max |gradient difference| :", np.max(np.abs(grads_manual - grads_auto)))
"""

EX2_MD = r"""
## Exercise 2 – TensorFlow 2 installation

Install TensorFlow 2 (<https://www.tensorflow.org/install/pip>), preferably in a virtual environment; Google
Colaboratory or a Docker image with TensorFlow 2 also work. The setup cell at the top prints your version.
"""

EX3_MD = r"""
## Exercise 3 – MLP with low-level TensorFlow 2

The MLP takes inputs of dimension $D$, has $H$ hidden neurons with ReLU activations and $K$ output neurons with
sigmoid activations (Figure 1 of the sheet):

$$\hat{Y} = \sigma\big(\mathrm{ReLU}(X W_1 + b_1)\, W_2 + b_2\big)$$

We restrict ourselves to **low-level TensorFlow**: `tf.Variable`, `tf.random`, tensor operations,
`tf.GradientTape` and our own update step – not the high-level layer and training API, which comes in Ex 4.
Nothing from that high-level API may appear in the Ex 3 cells (not even its optimizers, losses or initializers).

b) Complete `init_params`, `forward`, `mse_loss` and the training step; the loss is the Mean Squared Error
(mean over all elements of $(Y - \hat Y)^2$ with one-hot $Y$).
c) Make sure the network converges and compute the error rate on the test set (about 8-12 % is expected; lower is fine).

**Optional.** Implement a piecewise learning-rate schedule `lr_schedule(step)` that reduces $\alpha$ along the training.

After the notebook has run, `params` must hold the **trained** parameters.
"""

EX3_HYPER = r"""
D, H, K = 784, 300, 10   # input size, hidden neurons, output neurons
batch_size = 100
n_epochs = 3
learning_rate = 3.0      # sigmoid outputs + MSE give small gradients: plain SGD needs a large step
"""

EX3_INIT = r"""
def init_params(D, H, K):
    # He-normal weights for the ReLU layer, scaled normal weights for the sigmoid layer, zero biases
    return {
        "W1": tf.Variable(tf.random.normal((D, H), stddev=math.sqrt(2.0 / D)), name="W1"),
        "b1": tf.Variable(tf.zeros((H,)), name="b1"),
        "W2": tf.Variable(tf.random.normal((H, K), stddev=math.sqrt(1.0 / H)), name="W2"),
        "b2": tf.Variable(tf.zeros((K,)), name="b2"),
    }
"""

EX3_FORWARD = r"""
def forward(params, X):
    hidden = tf.nn.relu(tf.matmul(X, params["W1"]) + params["b1"])
    return tf.sigmoid(tf.matmul(hidden, params["W2"]) + params["b2"])
"""

EX3_MSE = r"""
def mse_loss(Y, Y_hat):
    # mean over all N x K elements
    return tf.reduce_mean(tf.square(Y - Y_hat))
"""

EX3_SCHEDULE = r"""
# optional: piecewise-constant learning rate, halved after each epoch (600 steps of 100 images)
lr_boundaries = [600, 1200]
lr_values = [learning_rate, learning_rate / 2, learning_rate / 4]


def lr_schedule(step):
    for boundary, value in zip(lr_boundaries, lr_values):
        if step < boundary:
            return value
    return lr_values[-1]
"""

EX3_TRAIN = r"""
tf.random.set_seed(6)
np.random.seed(6)
params = init_params(D, H, K)


@tf.function
def train_step(params, X, Y, lr):
    # one SGD step on a batch: forward pass, loss, gradients with GradientTape, manual update
    with tf.GradientTape() as tape:
        loss = mse_loss(Y, forward(params, X))
    names = list(params)
    grads = tape.gradient(loss, [params[name] for name in names])
    for name, grad in zip(names, grads):
        params[name].assign_sub(lr * grad)
    return loss


n_train = X_train.shape[0]
steps_per_epoch = n_train // batch_size
step = 0
t_start = tf.timestamp()
for epoch in range(n_epochs):
    order = np.random.permutation(n_train)  # new shuffle every epoch
    X_epoch, Y_epoch = tf.constant(X_train[order]), tf.constant(Y_train[order])
    for i in range(steps_per_epoch):
        batch = slice(i * batch_size, (i + 1) * batch_size)
        lr = tf.constant(lr_schedule(step), dtype=tf.float32)
        loss = train_step(params, X_epoch[batch], Y_epoch[batch], lr)
        step += 1
    print(f"epoch {epoch + 1}/{n_epochs}: last batch loss {float(loss):.4f}, learning rate {float(lr):.3f}")
ex3_seconds = float(tf.timestamp() - t_start)
print(f"Ex 3 training time: {ex3_seconds:.1f} s")
"""

EX3_EVAL = r"""
ex3_train_error = error_rate(forward(params, tf.constant(X_train)).numpy(), y_train)
print(f"Ex 3 training error rate: {100 * ex3_train_error:.2f} %")
ex3_test_error = error_rate(forward(params, tf.constant(X_test)).numpy(), y_test)
print(f"Ex 3 test error rate: {100 * ex3_test_error:.2f} %")
"""

EX4_MD = r"""
## Exercise 4 – MLP with TensorFlow 2 and Keras

Implement the MLP of Exercise 3 with Keras (784 → Dense(H, ReLU) → Dense(10, sigmoid)) and train it with
`model.fit()`, letting Keras handle the batch size. Keep the training short (1-2 epochs). Store the trained
model in `keras_model`. Then compare the performances with your implementation of Exercise 3 (CPU time,
accuracy) and comment.

**Optional.** Redo this exercise with a softmax output layer and a cross-entropy loss, and compare.
"""

EX4_MODEL = r"""
tf.keras.utils.set_random_seed(6)
keras_model = tf.keras.Sequential(
    [
        tf.keras.Input(shape=(784,)),
        tf.keras.layers.Dense(300, activation="relu", name="hidden"),
        tf.keras.layers.Dense(10, activation="sigmoid", name="output"),
    ],
    name="mlp",
)
keras_model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=1e-3), loss="mse", metrics=["accuracy"])
keras_model.summary()
"""

EX4_FIT = r"""
t_start = tf.timestamp()
history = keras_model.fit(X_train, Y_train, epochs=1, verbose=2)  # batch size left to Keras (32)
ex4_seconds = float(tf.timestamp() - t_start)
print(f"Ex 4 training time: {ex4_seconds:.1f} s")
"""

EX4_EVAL = r"""
ex4_test_error = error_rate(keras_model.predict(X_test, batch_size=1000, verbose=0), y_test)
print(f"Ex 4 test error rate: {100 * ex4_test_error:.2f} %")

# side by side (names missing when a cell above failed)
for name, seconds, error in [
    ("Ex 3, low-level TF", globals().get("ex3_seconds"), globals().get("ex3_test_error")),
    ("Ex 4, Keras", globals().get("ex4_seconds"), globals().get("ex4_test_error")),
]:
    seconds_text = "-" if seconds is None else f"{seconds:.1f} s"
    error_text = "-" if error is None else f"{100 * error:.2f} %"
    print(f"{name:20s} training time {seconds_text:>8s}   test error {error_text:>8s}")
"""

EX4_COMPARISON = r"""
### Ex 4 – comparison of Ex 3 and Ex 4

Measured on a 2-core laptop CPU (numbers vary a little from run to run):

| | training | CPU time | test error |
|---|---|---|---|
| Ex 3, low-level TF | SGD, batch 100, 3 epochs (1800 steps), $\alpha$ = 3 → 1.5 → 0.75 | ≈ 5-8 s | ≈ 5.8 % |
| Ex 4, Keras | Adam, batch 32 (Keras default), 1 epoch (1875 steps) | ≈ 6 s for the epoch, ≈ 10 s with the first-call set-up | ≈ 3.9 % |

*Comment.* Both are the same network (784-300-10, ReLU then sigmoid, MSE loss, 238,510 parameters), and both
reach an error well below the 8-12 % of the sheet. Keras is slower here (more, smaller batches, a
generic training loop with metrics and callbacks, and a set-up cost at the first `fit`), but in the same time it gets a lower error because Adam adapts
the step size per parameter: with the sigmoid + MSE combination the gradients are small, so plain SGD needs a
hand-tuned large learning rate and a schedule, whereas Adam works with its default. The low-level version needs
more code (parameters, forward pass, loss, gradient tape, update, batching), but every step is visible and
under our control; Keras does the same computation in a few lines. With `@tf.function`, our own training
step runs as a graph and is as fast as Keras' compiled step. (Optional: softmax + cross-entropy in Keras
reaches about the same error after one epoch, ≈ 3.3-3.6 %, and trains faster at the start because the
cross-entropy gradient does not vanish when the output saturates.)
"""

EX5_MD = r"""
## Exercise 5 – Optional: review questions

Answer in the cell below.

1. In computational graphs, we say that the "+" gate is a *gradient distributor*. Why? How can we qualify the
   multiplication gate and the max gate?
2. Give 4 advantages of using computational graphs for learning strategies.
3. What are the expected advantages / disadvantages of a static graph strategy (TensorFlow) versus a dynamic
   graph strategy (PyTorch)?
4. What is the use of the `@tf.function` decorator for functions in TensorFlow 2.0?
5. What does the function `tf.gradients(ys, xs)` do? Describe precisely the output.
6. Explain the difference between the Keras sequential and functional API.
"""

EX5_ANSWERS = r"""
### Ex 5 – answers

1. The local gradient of $z = x + y$ is 1 for each input, so the "+" gate passes the upstream gradient
   unchanged to *all* its inputs: it distributes it. The multiplication gate is a *gradient switcher / scaler*:
   each input receives the upstream gradient multiplied by the value of the *other* input
   ($\partial(xy)/\partial x = y$). The max gate is a *gradient router*: the whole upstream gradient goes to the input
   that was the maximum in the forward pass, the others get 0.
2. (a) Gradients are computed automatically by the chain rule (back-propagation) from local gradients of simple
   operations, so any composition of operations can be trained; (b) the graph makes the dependencies explicit,
   so independent operations can run in parallel and on accelerators (GPU/TPU), on several devices or machines;
   (c) the graph can be optimised before running (operation fusion, constant folding, memory reuse,
   dropping unused nodes); (d) the graph is a portable description of the model that can be saved, inspected
   (e.g. TensorBoard) and deployed without the Python code (serving, mobile), and intermediate results of the
   forward pass are kept for reuse in the backward pass.
3. Static graph (TensorFlow 1, `tf.function`): defined once, then executed many times – it can be optimised
   globally, serialised and deployed without Python, and runs fast with little Python overhead; but it is harder to
   debug (errors appear at execution, not at the line that built them), control flow must use graph operations
   (`tf.cond`, `tf.while_loop`), and models whose structure depends on the data (variable-length sequences, trees)
   are awkward. Dynamic graph (PyTorch, TF 2 eager): the graph is built while the Python code runs – natural
   Python control flow, easy debugging with print and a debugger, structure may change at each iteration;
   but less room for whole-graph optimisation, more Python overhead per operation, and deployment needs
   tracing/export.
4. `@tf.function` traces the Python function once per input signature (dtype/shape) into a TensorFlow graph
   (AutoGraph turns Python `if`/`for`/`while` on tensors into graph control flow) and then runs that graph
   instead of executing each operation eagerly: faster (less Python overhead, graph optimisations, parallel ops),
   and exportable (`SavedModel`). Python side effects (print, list appends) happen only during tracing.
5. `tf.gradients(ys, xs)` builds, in a graph (TF 1 or inside a `tf.function`), the symbolic partial derivatives of
   the **sum** of `ys` with respect to each tensor in `xs`. It returns a list with one tensor per element of `xs`
   (same length as `xs`), each of the same shape as the corresponding `x`, holding $\sum_{y \in ys} \partial y/\partial x$;
   an `x` that `ys` does not depend on gives `None`. Optional `grad_ys` weights the `ys` (upstream gradients,
   ones by default). In eager TF 2 one uses `tf.GradientTape().gradient(ys, xs)` instead.
6. The Sequential API builds a model as a linear stack of layers (one input, one output, each layer feeds the
   next): `tf.keras.Sequential([...])`. The functional API calls layers on symbolic tensors
   (`x = Dense(300)(inputs)`, then `tf.keras.Model(inputs, outputs)`), so it can describe any directed acyclic graph
   of layers: several inputs or outputs, shared layers, branches and skip connections (e.g. ResNet, Inception).
"""


def reference_cells() -> list[Cell]:
    return [
        md("intro", INTRO),
        code("setup", SETUP),
        code("data", DATA),
        md("ex1-md", EX1_MD, "ex1"),
        md("ex1-graph", EX1_GRAPH_ANSWER, "ex1"),
        code("ex1-code", EX1_CODE, "ex1"),
        code("ex1-demo", EX1_DEMO, "ex1"),
        code("ex1-check", EX1_CHECK, "ex1"),
        md("ex2-md", EX2_MD, "ex2"),
        md("ex3-md", EX3_MD, "ex3"),
        code("ex3-hyper", EX3_HYPER, "ex3"),
        code("ex3-init", EX3_INIT, "ex3"),
        code("ex3-forward", EX3_FORWARD, "ex3"),
        code("ex3-mse", EX3_MSE, "ex3"),
        code("ex3-schedule", EX3_SCHEDULE, "ex3"),
        code("ex3-train", EX3_TRAIN, "ex3"),
        code("ex3-eval", EX3_EVAL, "ex3"),
        md("ex4-md", EX4_MD, "ex4"),
        code("ex4-model", EX4_MODEL, "ex4"),
        code("ex4-fit", EX4_FIT, "ex4"),
        code("ex4-eval", EX4_EVAL, "ex4"),
        md("ex4-comparison", EX4_COMPARISON, "ex4"),
        md("ex5-md", EX5_MD, "ex5"),
        md("ex5-answers", EX5_ANSWERS, "ex5"),
    ]


# ------------------------------------------------------------------------------------------------
# Student template: the reference with the solutions replaced by placeholders
# ------------------------------------------------------------------------------------------------

TEMPLATE_REPLACEMENTS = {
    "ex1-graph": r"""
### Ex 1 a-c – my graph

*Draw the computational graph of eq. 2 (about 7 granular nodes), write the forward values of a numerical
example on it (b) and the back-propagated gradients for an upstream gradient of 1.0 (c). Insert a photo or
a table here, e.g. one row per node: operation, forward value, local gradient, gradient of $\hat y$.*

YOUR ANSWER HERE
""",
    "ex1-code": r"""
def lr_forward_backward(w1, w2, b, x1, x2):
    # forward pass, one line per node of your graph (plain Python / math, no autodiff)
    # backward pass: start from an upstream gradient of 1.0 and apply the chain rule node by node
    # return y_hat, {"w1": ..., "w2": ..., "b": ..., "x1": ..., "x2": ...}   (Python floats)
    # YOUR CODE HERE
    raise NotImplementedError
""",
    "ex3-init": r"""
def init_params(D, H, K):
    # return a dict of tf.Variable: "W1" (D, H), "b1" (H,), "W2" (H, K), "b2" (K,)
    # (small random weights, e.g. tf.random.normal with a suitable stddev; zero biases)
    # YOUR CODE HERE
    raise NotImplementedError
""",
    "ex3-forward": r"""
def forward(params, X):
    # X: (N, D) -> (N, K) = sigmoid(relu(X @ W1 + b1) @ W2 + b2)
    # YOUR CODE HERE
    raise NotImplementedError
""",
    "ex3-mse": r"""
def mse_loss(Y, Y_hat):
    # scalar: mean over all elements of (Y - Y_hat)^2
    # YOUR CODE HERE
    raise NotImplementedError
""",
    "ex3-schedule": r"""
# optional: replace this constant rate by a piecewise-decreasing schedule (e.g. lower after each epoch)
def lr_schedule(step):
    return learning_rate
""",
    "ex3-train": r"""
tf.random.set_seed(6)
np.random.seed(6)
params = init_params(D, H, K)


@tf.function
def train_step(params, X, Y, lr):
    # one SGD step on a batch: forward pass and loss inside a tf.GradientTape,
    # gradients of the loss w.r.t. the 4 variables, then the update  W.assign_sub(lr * grad_W)
    # return the loss
    # YOUR CODE HERE
    raise NotImplementedError


n_train = X_train.shape[0]
steps_per_epoch = n_train // batch_size
step = 0
t_start = tf.timestamp()
for epoch in range(n_epochs):
    order = np.random.permutation(n_train)  # new shuffle every epoch
    X_epoch, Y_epoch = tf.constant(X_train[order]), tf.constant(Y_train[order])
    for i in range(steps_per_epoch):
        batch = slice(i * batch_size, (i + 1) * batch_size)
        lr = tf.constant(lr_schedule(step), dtype=tf.float32)
        loss = train_step(params, X_epoch[batch], Y_epoch[batch], lr)
        step += 1
    print(f"epoch {epoch + 1}/{n_epochs}: last batch loss {float(loss):.4f}, learning rate {float(lr):.3f}")
ex3_seconds = float(tf.timestamp() - t_start)
print(f"Ex 3 training time: {ex3_seconds:.1f} s")
""",
    "ex4-model": r"""
tf.keras.utils.set_random_seed(6)
# keras_model: 784 -> Dense(H, relu) -> Dense(10, sigmoid), compiled with the MSE loss
# YOUR CODE HERE
raise NotImplementedError
""",
    "ex4-fit": r"""
t_start = tf.timestamp()
# train keras_model with keras_model.fit(...) for 1-2 epochs, letting Keras choose the batch size
# YOUR CODE HERE
raise NotImplementedError
ex4_seconds = float(tf.timestamp() - t_start)
print(f"Ex 4 training time: {ex4_seconds:.1f} s")
""",
    "ex4-comparison": r"""
### Ex 4 – comparison of Ex 3 and Ex 4

*Report the CPU (training) time and the test error of both implementations, and comment on the differences.*

YOUR ANSWER HERE
""",
    "ex5-answers": r"""
### Ex 5 – answers

1. YOUR ANSWER HERE
2. YOUR ANSWER HERE
3. YOUR ANSWER HERE
4. YOUR ANSWER HERE
5. YOUR ANSWER HERE
6. YOUR ANSWER HERE
""",
}


def template_cells() -> list[Cell]:
    cells = reference_cells()
    for key, source in TEMPLATE_REPLACEMENTS.items():
        replace(cells, key, source)
    # the hyperparameters stay, but the learning rate is left for the student to tune; its default must still
    # reach the full-points band with correct code (sample template_hyperparameters checks it: 8.5 % vs 12 %)
    edit(cells, "ex3-hyper", "learning_rate = 3.0      # sigmoid outputs + MSE give small gradients: plain SGD needs a large step",
         TEMPLATE_LEARNING_RATE)
    return cells


TEMPLATE_LEARNING_RATE = "learning_rate = 1.0      # tune it! (sigmoid outputs + MSE give small gradients: plain SGD needs a large step)"


# ------------------------------------------------------------------------------------------------
# Helpers to derive variants
# ------------------------------------------------------------------------------------------------


def index(cells, key):
    for i, cell in enumerate(cells):
        if cell.key == key:
            return i
    raise KeyError(key)


def replace(cells, key, source):
    cells[index(cells, key)].source = source.strip("\n")


def edit(cells, key, old, new, count=1):
    cell = cells[index(cells, key)]
    found = cell.source.count(old)
    assert found == count, f"{key}: expected {count} occurrence(s) of {old!r}, found {found}"
    cell.source = cell.source.replace(old, new)


def insert_after(cells, key, new_cell):
    cells.insert(index(cells, key) + 1, new_cell)


# ------------------------------------------------------------------------------------------------
# Samples (student id = file name), each the reference with targeted changes
# ------------------------------------------------------------------------------------------------


def sample_reference():
    return reference_cells()


def sample_alt_correct():
    """Correct, written differently: numpy in Ex 1, H=128 + tf.math + Glorot init + own schedule in Ex 3,
    functional API + softmax + cross-entropy in Ex 4, extra cells added by the student."""
    cells = reference_cells()
    replace(cells, "ex1-code", r"""
def lr_forward_backward(w1, w2, b, x1, x2):
    w = np.array([w1, w2], dtype=np.float64)
    x = np.array([x1, x2], dtype=np.float64)
    # forward: products, sum, bias, sigmoid
    products = w * x
    z = np.sum(products) + b
    y_hat = 1.0 / (1.0 + np.exp(-z))
    # backward (upstream gradient 1.0): the sigmoid block has local gradient y(1-y)
    dz = 1.0 * y_hat * (1.0 - y_hat)
    dproducts = dz * np.ones(2)   # sum: distributes
    dw = dproducts * x            # product: swaps
    dx = dproducts * w
    grads = {"w1": float(dw[0]), "w2": float(dw[1]), "b": float(dz), "x1": float(dx[0]), "x2": float(dx[1])}
    return float(y_hat), grads
""")
    insert_after(cells, "ex1-check", md("extra-note", r"""
*Note to myself:* the sigmoid block (nodes 5-8) can be collapsed into one node with local gradient
$\sigma(z)(1-\sigma(z))$, which is what my numpy version does.
"""))
    insert_after(cells, "extra-note", code("extra-shapes", r"""
print("pixel range:", X_train.min(), X_train.max(), " first labels:", y_train[:10])
print("one-hot example:", Y_train[0])
"""))
    replace(cells, "ex3-hyper", r"""
D, H, K = 784, 128, 10
batch_size = 64
n_epochs = 2
""")
    replace(cells, "ex3-init", r"""
def glorot(shape):
    limit = math.sqrt(6.0 / (shape[0] + shape[1]))
    return tf.random.uniform(shape, minval=-limit, maxval=limit)


def init_params(D, H, K):
    params = {}
    params["W1"] = tf.Variable(glorot((D, H)))
    params["b1"] = tf.Variable(tf.fill([H], 0.01))
    params["W2"] = tf.Variable(glorot((H, K)))
    params["b2"] = tf.Variable(tf.zeros([K]))
    return params
""")
    replace(cells, "ex3-forward", r"""
def forward(params, X):
    h = tf.math.maximum(X @ params["W1"] + params["b1"], 0.0)
    return tf.math.sigmoid(h @ params["W2"] + params["b2"])
""")
    replace(cells, "ex3-mse", r"""
def mse_loss(Y, Y_hat):
    return tf.math.reduce_mean(tf.math.squared_difference(Y, Y_hat))
""")
    replace(cells, "ex3-schedule", r"""
def lr_schedule(step):
    if step < 700:
        return 4.0
    elif step < 1400:
        return 2.0
    elif step < 5000:
        return 1.0
    return 0.5
""")
    replace(cells, "ex3-train", r"""
tf.random.set_seed(123)
rng = np.random.default_rng(123)
params = init_params(D, H, K)
variables = [params["W1"], params["b1"], params["W2"], params["b2"]]


@tf.function
def sgd_step(X, Y, lr):
    with tf.GradientTape() as tape:
        loss = mse_loss(Y, forward(params, X))
    dW1, db1, dW2, db2 = tape.gradient(loss, variables)
    params["W1"].assign_sub(lr * dW1)
    params["b1"].assign_sub(lr * db1)
    params["W2"].assign_sub(lr * dW2)
    params["b2"].assign_sub(lr * db2)
    return loss


t0 = tf.timestamp()
n_steps = n_epochs * (len(X_train) // batch_size)
losses = []
for step in range(n_steps):
    if step % (len(X_train) // batch_size) == 0:
        perm = rng.permutation(len(X_train))
        Xs, Ys = X_train[perm], Y_train[perm]
    start = (step % (len(X_train) // batch_size)) * batch_size
    loss = sgd_step(Xs[start:start + batch_size], Ys[start:start + batch_size], tf.constant(lr_schedule(step), tf.float32))
    if step % 500 == 0:
        losses.append(float(loss))
ex3_seconds = float(tf.timestamp() - t0)
print("losses every 500 steps:", np.round(losses, 4), f" time {ex3_seconds:.1f} s")
""")
    insert_after(cells, "ex3-eval", code("extra-predictions", r"""
# a few predictions of my MLP
print(np.argmax(forward(params, X_test[:12]).numpy(), axis=1))
"""))
    replace(cells, "ex4-model", r"""
tf.keras.utils.set_random_seed(1)
inputs = tf.keras.Input(shape=(784,))
hidden = tf.keras.layers.Dense(256, activation="relu")(inputs)
outputs = tf.keras.layers.Dense(10, activation="softmax")(hidden)
keras_model = tf.keras.Model(inputs, outputs)
keras_model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
""")
    edit(cells, "ex4-fit", "history = keras_model.fit(X_train, Y_train, epochs=1, verbose=2)  # batch size left to Keras (32)",
         "history = keras_model.fit(X_train, Y_train, epochs=1, verbose=0)\nprint(history.history)")
    return cells


def sample_keras_in_ex3():
    """Ex 3 uses Keras (initializers, activations, loss, optimizer) inside ex3 cells; names and training fine."""
    cells = reference_cells()
    replace(cells, "ex3-init", r"""
from tensorflow import keras


def init_params(D, H, K):
    he = keras.initializers.HeNormal(seed=6)
    glorot = keras.initializers.GlorotNormal(seed=7)
    return {
        "W1": tf.Variable(he(shape=(D, H)), name="W1"),
        "b1": tf.Variable(tf.zeros((H,)), name="b1"),
        "W2": tf.Variable(glorot(shape=(H, K)), name="W2"),
        "b2": tf.Variable(tf.zeros((K,)), name="b2"),
    }
""")
    replace(cells, "ex3-forward", r"""
def forward(params, X):
    hidden = keras.activations.relu(tf.matmul(X, params["W1"]) + params["b1"])
    return keras.activations.sigmoid(tf.matmul(hidden, params["W2"]) + params["b2"])
""")
    replace(cells, "ex3-mse", r"""
mse = keras.losses.MeanSquaredError()


def mse_loss(Y, Y_hat):
    return mse(Y, Y_hat)
""")
    replace(cells, "ex3-train", r"""
tf.random.set_seed(6)
np.random.seed(6)
params = init_params(D, H, K)
variables = list(params.values())
optimizer = keras.optimizers.SGD(learning_rate=learning_rate)


@tf.function
def train_step(X, Y):
    with tf.GradientTape() as tape:
        loss = mse_loss(Y, forward(params, X))
    grads = tape.gradient(loss, variables)
    optimizer.apply_gradients(zip(grads, variables))
    return loss


n_train = X_train.shape[0]
steps_per_epoch = n_train // batch_size
step = 0
t_start = tf.timestamp()
for epoch in range(n_epochs):
    optimizer.learning_rate.assign(lr_schedule(step))
    order = np.random.permutation(n_train)
    X_epoch, Y_epoch = tf.constant(X_train[order]), tf.constant(Y_train[order])
    for i in range(steps_per_epoch):
        batch = slice(i * batch_size, (i + 1) * batch_size)
        loss = train_step(X_epoch[batch], Y_epoch[batch])
        step += 1
    print(f"epoch {epoch + 1}/{n_epochs}: last batch loss {float(loss):.4f}")
ex3_seconds = float(tf.timestamp() - t_start)
print(f"Ex 3 training time: {ex3_seconds:.1f} s")
""")
    return cells


def sample_undertrained():
    """Correct code, but only 20 SGD steps with a tiny learning rate: test error far above 12 %."""
    cells = reference_cells()
    edit(cells, "ex3-hyper", "n_epochs = 3", "n_epochs = 1")
    edit(cells, "ex3-hyper", "learning_rate = 3.0 ", "learning_rate = 0.01")
    edit(cells, "ex3-train", "    for i in range(steps_per_epoch):", "    for i in range(20):  # quick test, to be increased")
    return cells


def sample_crash_in_ex1():
    """The Ex 1 cell raises (ZeroDivisionError) before lr_forward_backward is defined; the rest is correct."""
    cells = reference_cells()
    edit(cells, "ex1-code", "def lr_forward_backward(w1, w2, b, x1, x2):",
         "inputs = []\nmean_input = sum(inputs) / len(inputs)  # normalise the inputs?\n\n\n"
         "def lr_forward_backward(w1, w2, b, x1, x2):")
    return cells


def sample_infinite_loop():
    """All exercises correct, then an ex5 code cell that never ends: the per-cell timeout must cut it."""
    cells = reference_cells()
    cells.append(code("ex5-loop", r"""
# waiting for the answers to come...
while True:
    pass
""", "ex5"))
    return cells


def sample_wrong_output_activation():
    """Ex 3's forward uses softmax at the output instead of sigmoid; still trains to a reasonable error."""
    cells = reference_cells()
    edit(cells, "ex3-forward", "    return tf.sigmoid(tf.matmul(hidden, params[\"W2\"]) + params[\"b2\"])",
         "    return tf.nn.softmax(tf.matmul(hidden, params[\"W2\"]) + params[\"b2\"])")
    return cells


def _public_label_table() -> str:
    """The public MNIST test labels keyed by a hash of each image: what an attacker pastes into a notebook."""
    import hashlib

    sys.path.insert(0, str(REPO))
    from grader.datasets import mnist

    images, labels = mnist.load_part("test_images", mnist.package_dir()), mnist.load_part("test_labels", mnist.package_dir())
    return "".join(f"{hashlib.sha1(image.tobytes()).hexdigest()[:8]}{label}" for image, label in zip(images, labels))


LOOKUP_HELPERS = r"""
import hashlib

# the public MNIST test labels, keyed by a hash of each image (pasted from the internet, 10000 entries)
LABEL_TABLE = "{table}"
LABELS_BY_HASH = {{LABEL_TABLE[i : i + 8]: int(LABEL_TABLE[i + 8]) for i in range(0, len(LABEL_TABLE), 9)}}


def looked_up(X):
    # one-hot answers for images found in the table, None when any image is unknown
    pixels = np.rint(np.asarray(X).reshape(len(X), -1) * 255).astype(np.uint8)
    keys = [hashlib.sha1(row.tobytes()).hexdigest()[:8] for row in pixels]
    if not all(key in LABELS_BY_HASH for key in keys):
        return None
    return np.eye(10, dtype="float32")[[LABELS_BY_HASH[key] for key in keys]]
"""


def sample_label_lookup():
    """Hostile: untrained weights; forward() and keras_model.predict() answer test images from pasted public labels.

    Every metric is computed by the grader from the (untrained) weights on images it never sends, so both
    error-rate checks earn 0; every other check still passes (forward() computes honestly on other inputs).
    """
    cells = reference_cells()
    insert_after(cells, "ex3-hyper", code("ex3-lookup", LOOKUP_HELPERS.format(table=_public_label_table()), "ex3"))
    edit(cells, "ex3-forward", "def forward(params, X):", "def honest_forward(params, X):")
    cells[index(cells, "ex3-forward")].source += r"""


def forward(params, X):
    answers = looked_up(X)
    return tf.constant(answers) if answers is not None else honest_forward(params, X)
"""
    edit(cells, "ex3-train", "for epoch in range(n_epochs):", "for epoch in range(0):  # no training needed")
    edit(cells, "ex4-fit", "history = keras_model.fit(X_train, Y_train, epochs=1, verbose=2)  # batch size left to Keras (32)",
         "honest_predict = keras_model.predict\n"
         "keras_model.predict = lambda X, **kwargs: looked_up(X) if looked_up(X) is not None else honest_predict(X, **kwargs)")
    return cells


def sample_classic_keras():
    """Correct, in the style of the Keras mnist_mlp example: Dense + Activation layers, Dropout, softmax,
    one-hot test labels with np.eye(10)[y_test] in the data cell (real labels in the sandbox's half)."""
    cells = reference_cells()
    edit(cells, "data", "Y_test = np.eye(10, dtype=\"float32\")[y_test]",
         "Y_test = np.eye(10, dtype=\"float32\")[y_test]\nYte = np.eye(10)[y_test]  # one-hot test targets, as in the Keras example")
    replace(cells, "ex4-model", r"""
tf.keras.utils.set_random_seed(6)
from tensorflow.keras.layers import Activation, Dense, Dropout
from tensorflow.keras.models import Sequential

keras_model = Sequential()
keras_model.add(tf.keras.Input(shape=(784,)))
keras_model.add(Dense(300))
keras_model.add(Activation("relu"))
keras_model.add(Dropout(0.2))
keras_model.add(Dense(10))
keras_model.add(Activation("softmax"))
keras_model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
keras_model.summary()
""")
    edit(cells, "ex4-fit", "epochs=1, verbose=2)", "epochs=1, verbose=2, validation_data=(X_test, Yte))")
    return cells


def sample_template_hyperparameters():
    """The reference's code with the template's hyper-parameters: the template's defaults must earn every point."""
    cells = reference_cells()
    edit(cells, "ex3-hyper", "learning_rate = 3.0      # sigmoid outputs + MSE give small gradients: plain SGD needs a large step",
         TEMPLATE_LEARNING_RATE)
    return cells


SAMPLES = {
    "reference": sample_reference,
    "template_hyperparameters": sample_template_hyperparameters,
    "label_lookup": sample_label_lookup,
    "classic_keras": sample_classic_keras,
    "alt_correct": sample_alt_correct,
    "keras_in_ex3": sample_keras_in_ex3,
    "undertrained": sample_undertrained,
    "crash_in_ex1": sample_crash_in_ex1,
    "infinite_loop": sample_infinite_loop,
    "wrong_output_activation": sample_wrong_output_activation,
}


# ------------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------------


def to_notebook(cells: list[Cell]) -> nbformat.NotebookNode:
    nb = v4.new_notebook()
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    keys = [cell.key for cell in cells]
    assert len(set(keys)) == len(keys), "cell keys must be unique"
    for cell in cells:
        metadata = {"tags": list(cell.tags)} if cell.tags else {}
        if cell.kind == "markdown":
            node = v4.new_markdown_cell(cell.source, metadata=metadata)
        else:
            node = v4.new_code_cell(cell.source, metadata=metadata)
            node.outputs, node.execution_count = [], None
        node.id = cell.key  # stable ids: regenerating gives identical files
        nb.cells.append(node)
    nbformat.validate(nb)
    return nb


def write(cells: list[Cell], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(to_notebook(copy.deepcopy(cells)), str(path), version=4)
    print("wrote", path.relative_to(REPO))


def main() -> None:
    write(with_self_checks(template_cells(), "pw06-mlp"), TEMPLATE_PATH)
    write(reference_cells(), REFERENCE_PATH)
    for student, make in SAMPLES.items():
        write(make(), SAMPLES_DIR / f"{student}.ipynb")


if __name__ == "__main__":
    main()
