"""Generate the series 1 notebooks: student template, reference solution and sample submissions.

    python assignments/series01-compression/make_notebooks.py

writes
    assignments/series01-compression/series01-compression.ipynb   student template
    reference/series01-compression/series01-compression.ipynb     reference solution
    assignments/series01-compression/samples/<student>.ipynb      sample submissions (the reference with targeted changes)

Cells of problem 1 part 1 carry the tag ``ex1``, part 2 ``ex2``; setup cells have none. Notebooks use
``tensorflow.compat.v1`` with eager execution disabled, as the 2018 sheet does. Saved notebooks have no outputs.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))

from notebook_builder import Cell, code, derive, edit, md, replace, with_self_checks, write  # noqa: E402

NAME = "series01-compression"
TEMPLATE_PATH = HERE / f"{NAME}.ipynb"
REFERENCE_PATH = REPO / "reference" / NAME / f"{NAME}.ipynb"
SAMPLES_DIR = HERE / "samples"


# ------------------------------------------------------------------------------------------------
# Reference solution
# ------------------------------------------------------------------------------------------------

INTRO = r"""
# Series 1 – Problem 1: basic computations in TensorFlow

We compress input vectors $x \in \mathbb{R}^d$ to $x' \in \mathbb{R}^{d'}$ ($d' \ll d$) in $n$ steps and
decompress them again, with $k = (d - d')/n$:

$$x' = W_n W_{n-1} \cdots W_1 x, \qquad W_i \in \mathbb{R}^{(d - i k) \times (d - (i-1) k)} \tag{1}$$

$$\tilde{x} = W_1^\top W_2^\top \cdots W_n^\top x' \tag{2}$$

**How this notebook is graded.** Run it top to bottom. The grader then calls your
`build_compression(d, d_prime, n)` itself, each time in a **new graph**, with its own `(d, d_prime, n)`
and its own `x`, so keep these names:

| name | what |
|---|---|
| `build_compression(d, d_prime, n)` | builds the graph and returns `(x, x_prime, x_tilde)` |
| `x` | `tf.placeholder` of dtype float32 and shape `[1, d]` (a row vector, see footnote 1 of the sheet) |
| `W_1 ... W_n` | created with `tf.get_variable` under these names (a variable scope around them is fine), with the shapes of eq. (1) |
| `x_prime`, `x_tilde` | tensors of shape `[1, d']` and `[1, d]` |

The decompression must **reuse** the same `W_i` through `tf.variable_scope` and `tf.get_variable`
(part 2), not through a Python list. Build everything inside the function: it must work when called
again in a new graph.
"""

SETUP = r"""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()  # TF1-style graphs and sessions, as on the sheet
np.random.seed(1)
print("TensorFlow", tf.__version__)
"""

EX1_MD = r"""
## Part 1 – compression and decompression in one graph

1. Create a `tf.placeholder` with shape `[1, d]` for $x$.
2. Create $W_1 \dots W_n$ with `tf.get_variable` (not `tf.Variable`), with a random initialization such as
   random normal.
3. Chain $x \to x' \to \tilde x$. Since $x$ is a row vector, eq. (1) reads $x' = x\, W_1^\top \cdots W_n^\top$:
   keep the sheet's shapes for $W_i$ and multiply by the transposes (`tf.matmul(a, W, transpose_b=True)`).

The same $W_i$ serve in the compression and in the decompression.
"""

EX1_CODE = r"""
def build_compression(d, d_prime, n):
    # x -> x' -> x~ ; returns (x, x_prime, x_tilde)
    assert (d - d_prime) % n == 0, "d - d_prime must be divisible by n"
    k = (d - d_prime) // n
    x = tf.placeholder(tf.float32, shape=[1, d], name="x")

    # compression: x' = x W_1^T ... W_n^T, with W_i of shape (d - i k) x (d - (i-1) k) as on the sheet
    h = x
    with tf.variable_scope("compression"):
        for i in range(1, n + 1):
            W = tf.get_variable(f"W_{i}", shape=[d - i * k, d - (i - 1) * k],
                                initializer=tf.random_normal_initializer(stddev=1.0))
            h = tf.matmul(h, W, transpose_b=True)
    x_prime = h

    # decompression: x~ = x' W_n ... W_1, fetching the *same* W_i by name (part 2: variable sharing)
    with tf.variable_scope("compression", reuse=True):
        for i in range(n, 0, -1):
            W = tf.get_variable(f"W_{i}")
            h = tf.matmul(h, W)
    x_tilde = h
    return x, x_prime, x_tilde
"""

EX1_RUN = r"""
# Build the graph in a fresh graph and run it for one random input (as on the sheet)
d, d_prime, n = 10, 4, 3
graph = tf.Graph()
with graph.as_default():
    x, x_prime, x_tilde = build_compression(d, d_prime, n)
    init = tf.global_variables_initializer()
    print("variables:", [(v.name, v.shape.as_list()) for v in tf.global_variables()])

with tf.Session(graph=graph) as session:
    session.run(init)
    x_input = np.random.randn(1, d).astype(np.float32)  # shape [1, d]
    feed_dict = {x: x_input}
    output = session.run(x_tilde, feed_dict=feed_dict)
    print("x_prime shape:", session.run(x_prime, feed_dict=feed_dict).shape, " x_tilde shape:", output.shape)
"""

EX1_CHECK = r"""
# self-check: x_tilde equals W_1^T ... W_n^T W_n ... W_1 x computed with numpy from the variables' values
with tf.Session(graph=graph) as session:
    session.run(init)
    with graph.as_default():
        Ws = session.run([v for v in tf.global_variables()])
    out = session.run(x_tilde, {x: x_input})
expected = x_input
for W in Ws:
    expected = expected @ W.T
for W in reversed(Ws):
    expected = expected @ W
print("max |difference|:", np.max(np.abs(out - expected)), " relative:", np.max(np.abs(out - expected)) / np.max(np.abs(expected)))
"""

EX1_ROWS = r"""
### Part 1 – eqs. (1) and (2) for a row vector $x$ of shape $[1, d]$

Transposing eq. (1): $x'^\top = x^\top W_1^\top W_2^\top \cdots W_n^\top$, so with the row vector $x$ of
shape $[1, d]$:

- $x W_1^\top$ has shape $[1, d - k]$, $x W_1^\top W_2^\top$ has shape $[1, d - 2k]$, ..., and
  $x' = x W_1^\top \cdots W_n^\top$ has shape $[1, d - nk] = [1, d']$;
- transposing eq. (2): $\tilde x = x' W_n W_{n-1} \cdots W_1$; $x' W_n$ has shape $[1, d' + k]$, ..., and
  $\tilde x$ has shape $[1, d]$.

The matrices keep the sheet's shapes; only the side on which we multiply (and the transposes) change.
"""

EX2_MD = r"""
## Part 2 – variable sharing

Re-using $W_i$ to compute $W_i^\top$ is called *variable sharing*. Instead of carrying a Python list of the
variables from the compression to the decompression, call `tf.get_variable` again with the same name inside
a `tf.variable_scope` with `reuse=True` (or `tf.AUTO_REUSE`): TensorFlow returns the existing variable.
Your `build_compression` above must share the `W_i` this way. Explain below how your code shares them and why
this is better than passing references around.
"""

EX2_ANSWER = r"""
### Part 2 – how my code shares the $W_i$

The compression creates `compression/W_1 ... compression/W_n` with `tf.get_variable` inside
`tf.variable_scope("compression")`. The decompression opens the same scope with `reuse=True` and calls
`tf.get_variable("W_i")` with only the name: the variable store finds `compression/W_i` and returns that
variable instead of creating a new one (without `reuse=True` it would raise "already exists").

This is better than keeping a Python list because the code that uses a variable does not need to get a
reference from the code that created it: any function can fetch a shared parameter by its scoped name,
the sharing is explicit (a reuse scope), and accidental duplicates raise an error instead of silently
creating new parameters.
"""

EX2_CHECK = r"""
# sharing check: the graph holds exactly n variables, and the decompression did not add any
with graph.as_default():
    names = [v.name for v in tf.global_variables()]
print(len(names), "variables:", names)
"""


def reference_cells() -> list[Cell]:
    return [
        md("intro", INTRO),
        code("setup", SETUP),
        md("ex1-md", EX1_MD, "ex1"),
        code("ex1-code", EX1_CODE, "ex1"),
        code("ex1-run", EX1_RUN, "ex1"),
        code("ex1-check", EX1_CHECK, "ex1"),
        md("ex1-rows", EX1_ROWS, "ex1"),
        md("ex2-md", EX2_MD, "ex2"),
        md("ex2-answer", EX2_ANSWER, "ex2"),
        code("ex2-check", EX2_CHECK, "ex2"),
    ]


# ------------------------------------------------------------------------------------------------
# Template: the reference with the answers taken out
# ------------------------------------------------------------------------------------------------

TEMPLATE_REPLACEMENTS = {
    "ex1-code": r"""
def build_compression(d, d_prime, n):
    # x: tf.placeholder, float32, shape [1, d]
    # W_1 ... W_n: tf.get_variable("W_i", shape=[d - i*k, d - (i-1)*k], initializer=...) with k = (d - d_prime) // n
    # x_prime: shape [1, d_prime];  x_tilde: shape [1, d], decompressed with the *same* W_i (part 2: by reuse)
    # return x, x_prime, x_tilde
    # YOUR CODE HERE
    raise NotImplementedError
""",
    "ex1-rows": r"""
### Part 1 – eqs. (1) and (2) for a row vector $x$ of shape $[1, d]$

*Rewrite eqs. (1) and (2) for the row vector $x$ and give the shape of every intermediate result.*

YOUR ANSWER HERE
""",
    "ex2-answer": r"""
### Part 2 – how my code shares the $W_i$

YOUR ANSWER HERE
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
    """Correct, written differently: one scope per step with AUTO_REUSE, tf.transpose, a helper function."""
    cells = reference_cells()
    replace(cells, "ex1-code", r"""
from functools import reduce


def weight(i, rows=None, cols=None):
    # the i-th compression matrix; created on first use, shared afterwards (AUTO_REUSE)
    with tf.variable_scope(f"step{i}", reuse=tf.AUTO_REUSE):
        if rows is None:
            return tf.get_variable(f"W_{i}")
        return tf.get_variable(f"W_{i}", [rows, cols], tf.float32, tf.random_normal_initializer(0.0, 0.5))


def build_compression(d, d_prime, n):
    k = (d - d_prime) // n
    x = tf.placeholder("float32", [1, d])
    Ws = [weight(i, d - i * k, d - (i - 1) * k) for i in range(1, n + 1)]
    x_prime = reduce(lambda h, W: tf.matmul(h, tf.transpose(W)), Ws, x)
    x_tilde = reduce(lambda h, i: h @ weight(i), range(n, 0, -1), x_prime)
    return x, x_prime, x_tilde
""")
    edit(cells, "ex1-run", "d, d_prime, n = 10, 4, 3", "d, d_prime, n = 784, 4, 5")
    return cells


def sample_python_references():
    """Part 1 only: the decompression uses a Python list of the W_i (no sharing by reuse)."""
    cells = reference_cells()
    replace(cells, "ex1-code", r"""
def build_compression(d, d_prime, n):
    k = (d - d_prime) // n
    x = tf.placeholder(tf.float32, shape=[1, d])
    Ws = []
    h = x
    for i in range(1, n + 1):
        W = tf.get_variable(f"W_{i}", shape=[d - i * k, d - (i - 1) * k], initializer=tf.random_normal_initializer())
        Ws.append(W)
        h = tf.matmul(h, W, transpose_b=True)
    x_prime = h
    for W in reversed(Ws):  # same objects, shared by Python reference
        h = tf.matmul(h, W)
    return x, x_prime, h
""")
    return cells


def sample_tf_variable():
    """tf.Variable instead of tf.get_variable, shared through a list: neither created nor shared by get_variable."""
    cells = reference_cells()
    replace(cells, "ex1-code", r"""
def build_compression(d, d_prime, n):
    k = (d - d_prime) // n
    x = tf.placeholder(tf.float32, shape=[1, d])
    Ws = [tf.Variable(tf.random_normal([d - i * k, d - (i - 1) * k]), name=f"W_{i}") for i in range(1, n + 1)]
    h = x
    for W in Ws:
        h = tf.matmul(h, tf.transpose(W))
    x_prime = h
    for W in Ws[::-1]:
        h = tf.matmul(h, W)
    return x, x_prime, h
""")
    return cells


def sample_transposed_weights():
    """W_i stored transposed ((d - (i-1)k) x (d - ik), the layer convention); the maths is right."""
    cells = reference_cells()
    edit(cells, "ex1-code", "shape=[d - i * k, d - (i - 1) * k]", "shape=[d - (i - 1) * k, d - i * k]")
    edit(cells, "ex1-code", "h = tf.matmul(h, W, transpose_b=True)", "h = tf.matmul(h, W)")
    edit(cells, "ex1-code", "            h = tf.matmul(h, W)\n    x_tilde", "            h = tf.matmul(h, W, transpose_b=True)\n    x_tilde")
    edit(cells, "ex1-check", "expected = expected @ W.T\nfor W in reversed(Ws):\n    expected = expected @ W",
         "expected = expected @ W\nfor W in reversed(Ws):\n    expected = expected @ W.T")
    return cells


def sample_relu_between_steps():
    """A ReLU after every compression step, 'like a neural network': x_prime and x_tilde are wrong."""
    cells = reference_cells()
    edit(cells, "ex1-code", "h = tf.matmul(h, W, transpose_b=True)", "h = tf.nn.relu(tf.matmul(h, W, transpose_b=True))")
    return cells


def sample_names_off_template():
    """Correct maths and sharing, but the matrices are called W1 ... Wn (as in many textbooks), not W_1 ... W_n."""
    cells = reference_cells()
    edit(cells, "ex1-code", 'W = tf.get_variable(f"W_{i}", shape=', 'W = tf.get_variable(f"W{i}", shape=')
    edit(cells, "ex1-code", 'W = tf.get_variable(f"W_{i}")', 'W = tf.get_variable(f"W{i}")')
    return cells


def sample_sigmoid_output():
    """x_prime is right; a sigmoid on the decompression 'to get pixel values' makes x_tilde wrong."""
    cells = reference_cells()
    edit(cells, "ex1-code", "    x_tilde = h\n", "    x_tilde = tf.sigmoid(h)  # pixel values in (0, 1)\n")
    return cells


def sample_memoized():
    """Caches the built tensors per (d, d_prime, n) 'to avoid rebuilding': a second call in a new graph
    returns tensors of the old graph."""
    cells = reference_cells()
    edit(cells, "ex1-code", "def build_compression(d, d_prime, n):\n",
         "_built = {}\n\n\ndef build_compression(d, d_prime, n):\n    if (d, d_prime, n) in _built:  # already built: no need to build twice\n"
         "        return _built[(d, d_prime, n)]\n")
    edit(cells, "ex1-code", "    return x, x_prime, x_tilde", "    _built[(d, d_prime, n)] = (x, x_prime, x_tilde)\n    return x, x_prime, x_tilde")
    return cells


def sample_crash():
    """The cell defining build_compression fails before the definition (a leftover line with undefined d)."""
    cells = reference_cells()
    edit(cells, "ex1-code", "def build_compression(d, d_prime, n):\n",
         "x = tf.placeholder(tf.float32, shape=[1, d])  # TODO remove\n\n\ndef build_compression(d, d_prime, n):\n")
    return cells


SAMPLES = {
    "reference": sample_reference,
    "alt_correct": sample_alt_correct,
    "python_references": sample_python_references,
    "tf_variable": sample_tf_variable,
    "transposed_weights": sample_transposed_weights,
    "relu_between_steps": sample_relu_between_steps,
    "names_off_template": sample_names_off_template,
    "sigmoid_output": sample_sigmoid_output,
    "memoized": sample_memoized,
    "crash": sample_crash,
    "untouched_template": template_cells,
}


def main() -> None:
    write(with_self_checks(template_cells(), "series01-compression"), TEMPLATE_PATH, REPO)
    write(reference_cells(), REFERENCE_PATH, REPO)
    for student, make in SAMPLES.items():
        write(make(), SAMPLES_DIR / f"{student}.ipynb", REPO)


if __name__ == "__main__":
    main()
