"""Generate the series 4 notebooks: student template, reference solution and sample submissions.

    python assignments/series04-gradients/make_notebooks.py

writes
    assignments/series04-gradients/series04-gradients.ipynb           student template
    reference/series04-gradients/series04-gradients.ipynb             reference solution
    assignments/series04-gradients/samples/<student>.ipynb            samples, each the reference with targeted changes

Exercise cells carry the tag of their problem (``ex1``, ``ex2``, ``ex3``). The notebooks use numpy only (no
TensorFlow: the grader checks the gradients against TensorFlow's autodiff on its own side), so one run takes
a few seconds. Saved notebooks have no outputs.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))

from notebook_builder import Cell, code, derive, edit, insert_after, md, replace, with_self_checks, write  # noqa: E402

NAME = "series04-gradients"
TEMPLATE_PATH = HERE / f"{NAME}.ipynb"
REFERENCE_PATH = REPO / "reference" / NAME / f"{NAME}.ipynb"
SAMPLES_DIR = HERE / "samples"

# ------------------------------------------------------------------------------------------------
# Reference solution
# ------------------------------------------------------------------------------------------------

INTRO = r"""
# Deep Learning – Exercise series 4: backpropagation, Hessian, Jacobians

**How this notebook is graded.** Write the derivations (Problems 1, 2.1-2.3, 3.1, 3.3) in the markdown cells
marked *YOUR ANSWER HERE*: a TA grades them. The code cells are graded automatically: the grader runs the whole
notebook, then calls the functions and reads the variables below on inputs of its own choosing, so keep
these names and signatures:

| problem | names the grader uses |
|---|---|
| 2.3 | `diag_hessian(Ws, x, t)` → list of 3 arrays; `complexity_diag`, `complexity_full` (strings) |
| 3.2 | `grad_sq_norm(W, x)` → array of `W`'s shape |
| 3.4 | `grad_trace(A, B)` → array of `A`'s shape |

All inputs are numpy `float64` arrays and vectors are 1-D (`x.shape == (d2,)`). Use numpy only: the point is to
derive the gradients by hand. The self-check cells at the end compare your functions with finite differences.
"""

SETUP = r"""
import numpy as np

np.set_printoptions(precision=4, suppress=True)
"""

EX1_MD = r"""
## Problem 1 – Backpropagation and computational graphs

a) Use backpropagation to derive $\frac{\partial l}{\partial h_1}$ for the network of the sheet as a function of the
intermediate (symbolic) gradients. Add a node for each gradient that contributes to $\frac{\partial l}{\partial h_1}$
and connect them according to their dependencies.

b) For the DAG of the sheet with inputs $x, y \in \mathbb{R}$ and final layer $l$, derive $\frac{\partial l}{\partial x}$.
"""

EX1_ANSWER = r"""
### Problem 1 – answers

**a)** Backpropagation visits the nodes in reverse topological order. Every node $v$ receives the gradient of
$l$ from each of its children $c$ and applies its local Jacobian: $\frac{\partial l}{\partial v} = \sum_{c \in
\mathrm{children}(v)} \frac{\partial l}{\partial c}\frac{\partial c}{\partial v}$. For the chain of the sheet
$h_1 \to h_2 \to \dots \to h_L \to l$ this gives
$$\frac{\partial l}{\partial h_1} = \frac{\partial l}{\partial h_L}\frac{\partial h_L}{\partial h_{L-1}}\cdots\frac{\partial h_2}{\partial h_1},$$
evaluated from the left: $g_L = \frac{\partial l}{\partial h_L}$, $g_{k} = g_{k+1}\frac{\partial h_{k+1}}{\partial h_k}$.
The gradient graph is the forward graph mirrored: one node $g_k$ per $h_k$, each $g_k$ depends on $g_{k+1}$ and on
the forward value(s) that the local derivative $\frac{\partial h_{k+1}}{\partial h_k}$ needs (edges from the
forward nodes $h_k$, and from the parameters of layer $k+1$).

**b)** In a DAG a node may have several children, so the contributions of all paths are summed (multivariate
chain rule): $\frac{\partial l}{\partial x} = \sum_{\text{children } c \text{ of } x}\frac{\partial l}{\partial c}
\frac{\partial c}{\partial x}$, applied recursively; equivalently the sum over all directed paths from $x$ to
$l$ of the product of the local derivatives along the path. Backpropagation computes each
$\frac{\partial l}{\partial c}$ once and reuses it for every parent, so shared sub-paths are not recomputed.
"""

EX2_MD = r"""
## Problem 2 – Approximate Hessian for feed-forward networks

Each unit computes $a_j = \sum_i w_{ji} z_i$ and $z_j = h(a_j)$.

1. Compute $\frac{\partial^2 L_n}{\partial w_{ji}^2}$ as a function of $z_i^2$.
2. Show equation (3):
   $\frac{\partial^2 L_n}{\partial a_j^2} = h'(a_j)^2 \sum_k \sum_{k'} w_{kj} w_{k'j} \frac{\partial^2 L_n}{\partial a_k \partial a_{k'}} + h''(a_j) \sum_k w_{kj} \frac{\partial L_n}{\partial a_k}$.
3. Neglect the off-diagonal elements in the second-derivative terms: what expression do we get? What is the
   computational complexity compared to computing the exact Hessian matrix?
"""

EX2_ANSWER = r"""
### Problem 2.1-2.3 – answers

**2.1** $w_{ji}$ enters $L_n$ only through $a_j = \sum_i w_{ji} z_i$, linearly, with $\frac{\partial a_j}{\partial w_{ji}} = z_i$
(which does not depend on $w_{ji}$). Hence $\frac{\partial L_n}{\partial w_{ji}} = \frac{\partial L_n}{\partial a_j} z_i$ and
$$\frac{\partial^2 L_n}{\partial w_{ji}^2} = \frac{\partial^2 L_n}{\partial a_j^2}\, z_i^2 .$$

**2.2** $a_j$ influences $L_n$ through the units $k$ it feeds: $a_k = \sum_j w_{kj} h(a_j)$, so
$\frac{\partial L_n}{\partial a_j} = h'(a_j)\sum_k w_{kj}\frac{\partial L_n}{\partial a_k}$. Differentiating once more with respect to
$a_j$ (product rule; $\frac{\partial L_n}{\partial a_k}$ depends on $a_j$ through every $a_{k'}$, with
$\frac{\partial a_{k'}}{\partial a_j} = w_{k'j} h'(a_j)$):
$$\frac{\partial^2 L_n}{\partial a_j^2} = h''(a_j)\sum_k w_{kj}\frac{\partial L_n}{\partial a_k}
+ h'(a_j)\sum_k w_{kj}\sum_{k'}\frac{\partial^2 L_n}{\partial a_k\partial a_{k'}} w_{k'j} h'(a_j),$$
which is equation (3).

**2.3** Keeping only $k = k'$:
$$\frac{\partial^2 L_n}{\partial a_j^2} \approx h'(a_j)^2\sum_k w_{kj}^2\frac{\partial^2 L_n}{\partial a_k^2} + h''(a_j)\sum_k w_{kj}\frac{\partial L_n}{\partial a_k},
\qquad \frac{\partial^2 L_n}{\partial w_{ji}^2} \approx \frac{\partial^2 L_n}{\partial a_j^2} z_i^2 .$$
The second derivatives are back-propagated exactly like the first ones (one pass, starting from the output
units, where $\frac{\partial^2 L_n}{\partial a_k^2}$ is known: 1 for a linear output with the squared error). Each weight is
touched a constant number of times, so the cost is $O(W)$ for $W$ weights, the same order as backpropagation.
The exact Hessian has $W^2$ entries and costs $O(W^2)$ (with the exact back-propagation algorithm for the
Hessian; finite differences would even cost $O(W^3)$).
For the network below ($a_1 = W_1x$, $z_1 = \tanh a_1$, $a_2 = W_2 z_1$, $z_2 = \tanh a_2$, $y = W_3 z_2$,
$L = \frac12\lVert y - t\rVert^2$) the output layer is linear with $\frac{\partial^2 L}{\partial y_k \partial y_{k'}} = \delta_{kk'}$, so the
diagonal terms of $W_3$ and $W_2$ are exact; only $W_1$'s are approximate.
"""

EX2_CODE_MD = r"""
### Problem 2.3 in code

Implement the diagonal approximation for the network
$a_1 = W_1 x,\ z_1 = \tanh(a_1),\ a_2 = W_2 z_1,\ z_2 = \tanh(a_2),\ y = W_3 z_2,\ L = \frac12\lVert y - t\rVert^2$
(no biases). `diag_hessian(Ws, x, t)` takes `Ws = [W1, W2, W3]` and returns `[H1, H2, H3]` where `Hl` has the
shape of `Wl` and holds the approximations of $\frac{\partial^2 L}{\partial (W_l)_{ji}^2}$ (off-diagonal second-derivative terms
neglected as in 2.3). Then answer the complexity question with two strings in big-O notation, in terms of
**W, the number of weights** (for example `"O(W^3)"`).
"""

EX2_CODE = r"""
def diag_hessian(Ws, x, t):
    W1, W2, W3 = Ws
    # forward pass
    a1 = W1 @ x
    z1 = np.tanh(a1)
    a2 = W2 @ z1
    z2 = np.tanh(a2)
    y = W3 @ z2
    # first derivatives dL/da, back-propagated (y = a3: linear output)
    delta3 = y - t
    delta2 = (1 - z2**2) * (W3.T @ delta3)
    # second derivatives d2L/da^2, off-diagonal terms neglected (eq. 3 with k = k')
    # h = tanh: h' = 1 - tanh^2, h'' = -2 tanh (1 - tanh^2)
    second3 = np.ones_like(y)  # d2L/dy^2 = 1 exactly
    second2 = (1 - z2**2) ** 2 * ((W3**2).T @ second3) - 2 * z2 * (1 - z2**2) * (W3.T @ delta3)
    second1 = (1 - z1**2) ** 2 * ((W2**2).T @ second2) - 2 * z1 * (1 - z1**2) * (W2.T @ delta2)
    # d2L/dw_ji^2 = d2L/da_j^2 * z_i^2   (Problem 2.1)
    return [np.outer(second1, x**2), np.outer(second2, z1**2), np.outer(second3, z2**2)]


complexity_diag = "O(W)"
complexity_full = "O(W^2)"
"""

EX3_MD = r"""
## Problem 3 – Chain rule and Jacobian matrices in more than 2 dimensions

1. Let $y(W): \mathbb{R}^{d_1\times d_2}\to\mathbb{R}^{d_3}$ and $L(y): \mathbb{R}^{d_3}\to\mathbb{R}$, $T_{i,j,k} = \frac{\partial y_i}{\partial W_{jk}}$.
   Show that $\frac{\partial L}{\partial W} = \frac{\partial L}{\partial y}\times_{d_3}\frac{\partial y}{\partial W}$.
2. Compute $\frac{\partial L}{\partial W}$ for $L = \lVert y\rVert_2^2$, $y = Wx$, $x\in\mathbb{R}^{d_2}$, $W\in\mathbb{R}^{d_1\times d_2}$ – and implement it.
3. Same as 1 for $y(W): \mathbb{R}^{d_1\times d_2}\to\mathbb{R}^{d_3\times d_4}$: show
   $\frac{\partial L}{\partial W} = \frac{\partial L}{\partial y}\times_{d_3,d_4}\frac{\partial y}{\partial W}$.
4. Compute $\frac{\partial\, tr(BA)}{\partial A}$ for $A\in\mathbb{R}^{d_1\times d_2}$, $B\in\mathbb{R}^{d_2\times d_1}$ – and implement it.
"""

EX3_ANSWER = r"""
### Problem 3 – answers

**3.1** Component-wise chain rule: $\frac{\partial L}{\partial W_{jk}} = \sum_{i=1}^{d_3}\frac{\partial L}{\partial y_i}\frac{\partial y_i}{\partial W_{jk}}
= \sum_i \left(\frac{\partial L}{\partial y}\right)_i T_{i,j,k}$, which is the definition of $\frac{\partial L}{\partial y}\times_{d_3} T$
(sum over the shared index of size $d_3$), a $d_1\times d_2$ matrix.

**3.2** $\frac{\partial L}{\partial y} = 2y^\top$ and $T_{i,j,k} = \frac{\partial (Wx)_i}{\partial W_{jk}} = \delta_{ij}x_k$, so
$\frac{\partial L}{\partial W_{jk}} = \sum_i 2y_i\delta_{ij}x_k = 2y_jx_k$, i.e. $\frac{\partial L}{\partial W} = 2\,y\,x^\top = 2\,Wx\,x^\top$.

**3.3** Now $L$ depends on $W$ through all $d_3 d_4$ entries of $y$:
$\frac{\partial L}{\partial W_{kl}} = \sum_{i=1}^{d_3}\sum_{j=1}^{d_4}\frac{\partial L}{\partial y_{ij}}\frac{\partial y_{ij}}{\partial W_{kl}}
= \sum_{i,j}\left(\frac{\partial L}{\partial y}\right)_{ij}T_{i,j,k,l} = \left(\frac{\partial L}{\partial y}\times_{d_3,d_4}T\right)_{kl}.$

**3.4** With $y = BA\in\mathbb{R}^{d_2\times d_2}$ and $L = tr(y)$: $\frac{\partial L}{\partial y_{ij}} = \delta_{ij}$ and
$T_{i,j,k,l} = \frac{\partial (BA)_{ij}}{\partial A_{kl}} = B_{ik}\delta_{jl}$, so
$\frac{\partial L}{\partial A_{kl}} = \sum_{i,j}\delta_{ij}B_{ik}\delta_{jl} = B_{lk}$: $\frac{\partial\, tr(BA)}{\partial A} = B^\top$ ($d_1\times d_2$, like $A$).
"""

EX3_SQ_NORM = r"""
def grad_sq_norm(W, x):
    # d ||W x||^2 / dW = 2 (W x) x^T
    return 2.0 * np.outer(W @ x, x)
"""

EX3_TRACE = r"""
def grad_trace(A, B):
    # d tr(BA) / dA = B^T
    return B.T.copy()
"""

CHECK_MD = r"""
## Self-check (not graded)

Finite differences of the losses: the printed errors should be tiny (about `1e-6` or less). For the
diagonal Hessian, the layers $W_3$ and $W_2$ are exact, so they match the numerical second derivatives;
$W_1$ is the approximation of 2.3 and differs a little.
"""

CHECK_CODE = r"""
def numerical_gradient(f, X, h=1e-6):
    grad = np.zeros_like(X)
    for index in np.ndindex(X.shape):
        step = np.zeros_like(X)
        step[index] = h
        grad[index] = (f(X + step) - f(X - step)) / (2 * h)
    return grad


def numerical_second_derivatives(f, X, h=1e-4):
    second = np.zeros_like(X)
    for index in np.ndindex(X.shape):
        step = np.zeros_like(X)
        step[index] = h
        second[index] = (f(X + step) - 2 * f(X) + f(X - step)) / h**2
    return second


rng = np.random.default_rng(4)
W, x = rng.normal(size=(3, 4)), rng.normal(size=4)
print("3.2 max error:", np.max(np.abs(grad_sq_norm(W, x) - numerical_gradient(lambda V: np.sum((V @ x) ** 2), W))))
A, B = rng.normal(size=(3, 5)), rng.normal(size=(5, 3))
print("3.4 max error:", np.max(np.abs(grad_trace(A, B) - numerical_gradient(lambda V: np.trace(B @ V), A))))

Ws = [rng.normal(scale=0.7, size=shape) for shape in [(5, 6), (4, 5), (3, 4)]]
x6, t3 = rng.normal(size=6), rng.normal(size=3)


def loss(Ws, x, t):
    return 0.5 * np.sum((Ws[2] @ np.tanh(Ws[1] @ np.tanh(Ws[0] @ x)) - t) ** 2)


approx = diag_hessian(Ws, x6, t3)
for layer in range(3):
    def loss_of_layer(V, layer=layer):
        return loss([V if i == layer else Ws[i] for i in range(3)], x6, t3)

    exact = numerical_second_derivatives(loss_of_layer, Ws[layer])
    print(f"2.3 W{layer + 1}: shape {approx[layer].shape}, max |approx - exact| = {np.max(np.abs(approx[layer] - exact)):.2e}")
print("complexities:", complexity_diag, "vs", complexity_full)
"""


def reference_cells() -> list[Cell]:
    return [
        md("intro", INTRO),
        code("setup", SETUP),
        md("ex1-md", EX1_MD, "ex1"),
        md("ex1-answer", EX1_ANSWER, "ex1"),
        md("ex2-md", EX2_MD, "ex2"),
        md("ex2-answer", EX2_ANSWER, "ex2"),
        md("ex2-code-md", EX2_CODE_MD, "ex2"),
        code("ex2-code", EX2_CODE, "ex2"),
        md("ex3-md", EX3_MD, "ex3"),
        md("ex3-answer", EX3_ANSWER, "ex3"),
        code("ex3-sq-norm", EX3_SQ_NORM, "ex3"),
        code("ex3-trace", EX3_TRACE, "ex3"),
        md("check-md", CHECK_MD),
        code("check", CHECK_CODE),
    ]


# ------------------------------------------------------------------------------------------------
# Student template
# ------------------------------------------------------------------------------------------------

TEMPLATE_REPLACEMENTS = {
    "ex1-answer": r"""
### Problem 1 – answers

**a)** YOUR ANSWER HERE (derivation, and the gradient graph: a photo or a sketch)

**b)** YOUR ANSWER HERE
""",
    "ex2-answer": r"""
### Problem 2.1-2.3 – answers

**2.1** YOUR ANSWER HERE

**2.2** YOUR ANSWER HERE

**2.3** YOUR ANSWER HERE (the expression, and why the complexities below hold)
""",
    "ex2-code": r"""
def diag_hessian(Ws, x, t):
    W1, W2, W3 = Ws
    # forward pass: a1, z1, a2, z2, y
    # back-propagate the first derivatives dL/da and the (diagonal) second derivatives d2L/da^2
    # return [H1, H2, H3], Hl of the shape of Wl, with H[j, i] ~ d2L / dW[j, i]^2
    # YOUR CODE HERE
    raise NotImplementedError


complexity_diag = "O(?)"  # YOUR ANSWER HERE, in terms of W, the number of weights
complexity_full = "O(?)"  # YOUR ANSWER HERE
""",
    "ex3-answer": r"""
### Problem 3 – answers

**3.1** YOUR ANSWER HERE

**3.2** YOUR ANSWER HERE

**3.3** YOUR ANSWER HERE

**3.4** YOUR ANSWER HERE
""",
    "ex3-sq-norm": r"""
def grad_sq_norm(W, x):
    # W: (d1, d2), x: (d2,) -> d ||W x||^2 / dW, shape (d1, d2)
    # YOUR CODE HERE
    raise NotImplementedError
""",
    "ex3-trace": r"""
def grad_trace(A, B):
    # A: (d1, d2), B: (d2, d1) -> d tr(BA) / dA, shape (d1, d2)
    # YOUR CODE HERE
    raise NotImplementedError
""",
}


def template_cells() -> list[Cell]:
    return derive(reference_cells(), TEMPLATE_REPLACEMENTS)


# ------------------------------------------------------------------------------------------------
# Samples (student id = file name)
# ------------------------------------------------------------------------------------------------


def sample_alt_correct():
    """Correct, written differently: explicit loops and einsum, a Python-loop Hessian, LaTeX complexities."""
    cells = reference_cells()
    replace(cells, "ex2-code", r"""
def tanh_derivatives(a):
    s = np.tanh(a)
    return 1 - s**2, -2 * s * (1 - s**2)


def diag_hessian(Ws, x, t):
    zs, activations = [np.asarray(x, dtype=float)], []
    for W in Ws[:-1]:
        activations.append(W @ zs[-1])
        zs.append(np.tanh(activations[-1]))
    y = Ws[-1] @ zs[-1]
    delta = y - t                  # dL/da of the layer above
    second = np.ones(len(y))       # d2L/da^2 of the layer above
    result = [np.outer(second, zs[-1] ** 2)]
    for layer in range(len(Ws) - 2, -1, -1):
        W_above = Ws[layer + 1]
        d1, d2 = tanh_derivatives(activations[layer])
        new_delta = np.zeros(len(d1))
        new_second = np.zeros(len(d1))
        for j in range(len(d1)):
            new_delta[j] = d1[j] * sum(W_above[k, j] * delta[k] for k in range(len(delta)))
            new_second[j] = d1[j] ** 2 * sum(W_above[k, j] ** 2 * second[k] for k in range(len(second))) \
                + d2[j] * sum(W_above[k, j] * delta[k] for k in range(len(delta)))
        delta, second = new_delta, new_second
        result.insert(0, np.outer(second, zs[layer] ** 2))
    return result


complexity_diag = r"$\mathcal{O}(|W|)$, linear in the number of weights, like backpropagation"
complexity_full = r"quadratic: $\mathcal{O}(W^{2})$"
""")
    replace(cells, "ex3-sq-norm", r"""
def grad_sq_norm(W, x):
    x = np.asarray(x).reshape(-1)
    y = np.einsum("jk,k->j", W, x)
    return np.einsum("j,k->jk", 2 * y, x)
""")
    replace(cells, "ex3-trace", r"""
def grad_trace(A, B):
    d1, d2 = A.shape
    grad = np.empty((d1, d2))
    for k in range(d1):
        for l in range(d2):
            grad[k, l] = B[l, k]
    return grad
""")
    insert_after(cells, "ex3-trace", code("extra-trace-demo", r"""
# tr(BA) = tr(AB): the gradient does not depend on A
print(grad_trace(np.zeros((2, 3)), np.arange(6.0).reshape(3, 2)))
""", "ex3"))
    return cells


def sample_missing_factor_two():
    """3.2 forgets the factor 2 of the squared norm."""
    cells = reference_cells()
    edit(cells, "ex3-sq-norm", "return 2.0 * np.outer(W @ x, x)", "return np.outer(W @ x, x)")
    return cells


def sample_trace_not_transposed():
    """3.4 returns B instead of B^T (the classic index slip), which does not even have A's shape."""
    cells = reference_cells()
    edit(cells, "ex3-trace", "return B.T.copy()", "return B.copy()")
    return cells


def sample_no_curvature_term():
    """2.3 drops the h'' term of eq. (3): the output layer is still right, the hidden layers are not."""
    cells = reference_cells()
    edit(cells, "ex2-code", " - 2 * z2 * (1 - z2**2) * (W3.T @ delta3)", "")
    edit(cells, "ex2-code", " - 2 * z1 * (1 - z1**2) * (W2.T @ delta2)", "")
    return cells


def sample_wrong_complexity():
    """2.3 gives the finite-difference cost for the exact Hessian."""
    cells = reference_cells()
    edit(cells, "ex2-code", 'complexity_full = "O(W^2)"', 'complexity_full = "O(W^3)"')
    return cells


def sample_crash_in_ex3():
    """A Problem 3 cell raises before grad_sq_norm is defined, and grad_trace is left as in the template."""
    cells = reference_cells()
    edit(cells, "ex3-sq-norm", "def grad_sq_norm(W, x):", "x_test = np.array([1.0, 2.0])\nprint(W_test @ x_test)\n\n\ndef grad_sq_norm(W, x):")
    replace(cells, "ex3-trace", TEMPLATE_REPLACEMENTS["ex3-trace"])
    return cells


def sample_autodiff_gradients():
    """Problem 3 by automatic differentiation (GradientTape) instead of by hand; one reaches TF through a default argument."""
    cells = reference_cells()
    replace(cells, "ex3-sq-norm", r"""
import tensorflow as tf


def grad_sq_norm(W, x):
    W = tf.Variable(W)
    with tf.GradientTape() as tape:
        value = tf.reduce_sum(tf.linalg.matvec(W, tf.constant(x)) ** 2)
    return tape.gradient(value, W).numpy()
""")
    replace(cells, "ex3-trace", r"""
def grad_trace(A, B, autodiff=tf):
    A = autodiff.Variable(A)
    with autodiff.GradientTape() as tape:
        value = autodiff.linalg.trace(autodiff.constant(B) @ A)
    return tape.gradient(value, A).numpy()
""")
    return cells


SAMPLES = {
    "reference": reference_cells,
    "alt_correct": sample_alt_correct,
    "missing_factor_two": sample_missing_factor_two,
    "trace_not_transposed": sample_trace_not_transposed,
    "no_curvature_term": sample_no_curvature_term,
    "wrong_complexity": sample_wrong_complexity,
    "crash_in_ex3": sample_crash_in_ex3,
    "autodiff_gradients": sample_autodiff_gradients,
    "untouched_template": template_cells,
}


def main() -> None:
    write(with_self_checks(template_cells(), "series04-gradients"), TEMPLATE_PATH, REPO)
    write(reference_cells(), REFERENCE_PATH, REPO)
    for student, make in SAMPLES.items():
        write(make(), SAMPLES_DIR / f"{student}.ipynb", REPO)


if __name__ == "__main__":
    main()
