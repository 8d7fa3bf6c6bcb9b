"""By-hand probes: the student's function runs with TensorFlow (and jax, torch) unusable, however it reaches it.

Each student function below is hostile in its own way; the probe runtime is the real one, TensorFlow is real.
"""

from __future__ import annotations

import sys
import textwrap

import numpy as np
import pytest

from tests.probes.harness import run_probe

PROBES = """
def grad(ns, inputs):
    return {"value": ns["grad_sq_norm"](inputs["W"].copy(), inputs["x"].copy())}
"""
FORBIDDEN = ("tensorflow", "jax", "torch")
INPUTS = {"W": np.arange(6.0).reshape(2, 3), "x": np.array([1.0, -1.0, 2.0])}
EXPECTED = 2.0 * np.outer(INPUTS["W"] @ INPUTS["x"], INPUTS["x"])

NUMPY = """
import numpy as np
import tensorflow as tf  # imported, never used: that is allowed

def grad_sq_norm(W, x):
    return 2.0 * np.outer(W @ x, x)
"""
HOSTILE = {
    "global_module": """
import tensorflow as tf

def grad_sq_norm(W, x):
    W = tf.Variable(W)
    with tf.GradientTape() as tape:
        value = tf.reduce_sum(tf.linalg.matvec(W, tf.constant(x)) ** 2)
    return tape.gradient(value, W).numpy()
""",
    "imported_class": """
from tensorflow import GradientTape, Variable, constant, reduce_sum

def grad_sq_norm(W, x):
    W = Variable(W)
    with GradientTape() as tape:
        value = reduce_sum((W @ constant(x)[:, None]) ** 2)
    return tape.gradient(value, W).numpy()
""",
    "default_argument": """
import tensorflow as tf

def grad_sq_norm(W, x, autodiff=tf):
    W = autodiff.Variable(W)
    with autodiff.GradientTape() as tape:
        value = autodiff.reduce_sum(autodiff.linalg.matvec(W, autodiff.constant(x)) ** 2)
    return tape.gradient(value, W).numpy()
""",
    "closure": """
import tensorflow

def make():
    hidden = tensorflow
    def grad_sq_norm(W, x):
        W = hidden.Variable(W)
        with hidden.GradientTape() as tape:
            value = hidden.reduce_sum(hidden.linalg.matvec(W, hidden.constant(x)) ** 2)
        return tape.gradient(value, W).numpy()
    return grad_sq_norm

grad_sq_norm = make()
""",
    "attribute_of_another_object": """
import types
import tensorflow as tf
tools = types.SimpleNamespace(ad=tf)
del tf

def grad_sq_norm(W, x):
    W = tools.ad.Variable(W)
    with tools.ad.GradientTape() as tape:
        value = tools.ad.reduce_sum(tools.ad.linalg.matvec(W, tools.ad.constant(x)) ** 2)
    return tape.gradient(value, W).numpy()
""",
    "import_inside": """
def grad_sq_norm(W, x):
    import tensorflow as tf
    return tf.constant(2.0 * W).numpy()
""",
    "caught_and_hidden": """
import numpy as np
import tensorflow as tf

def grad_sq_norm(W, x):
    try:
        tf.constant(1.0)
    except BaseException:
        pass
    return 2.0 * np.outer(W @ x, x)
""",
    "profile_switched_off": """
import sys
import types
import tensorflow as tf
tools = types.SimpleNamespace(ad=tf)

def grad_sq_norm(W, x):
    sys.setprofile(None)
    W = tools.ad.Variable(W)
    with tools.ad.GradientTape() as tape:
        value = tools.ad.reduce_sum(tools.ad.linalg.matvec(W, tools.ad.constant(x)) ** 2)
    return tape.gradient(value, W).numpy()
""",
}


def kernel_namespace(source: str) -> dict:
    namespace: dict = {"__name__": "__main__"}
    exec(compile(textwrap.dedent(source), "<cell>", "exec"), namespace)
    return namespace


def test_a_numpy_function_runs_untouched_and_the_kernel_is_restored(tmp_path):
    namespace = kernel_namespace(NUMPY)
    data = run_probe(tmp_path, PROBES, "grad", namespace, INPUTS, forbidden=FORBIDDEN)
    assert data.ok, data.error
    assert np.allclose(data.values["value"], EXPECTED)
    assert namespace["tf"] is sys.modules["tensorflow"] and sys.getprofile() is None
    assert sys.modules["tensorflow"].constant(1.0).numpy() == 1.0
    assert "jax" not in sys.modules and "torch" not in sys.modules


@pytest.mark.parametrize("style", sorted(HOSTILE))
def test_autodiff_is_refused_however_it_is_reached(tmp_path, style):
    namespace = kernel_namespace(HOSTILE[style])
    data = run_probe(tmp_path, PROBES, "grad", namespace, INPUTS, forbidden=FORBIDDEN)
    assert not data.ok, f"{style} got through: {data.values}"
    assert "unavailable" in data.error and "by hand" in data.error
    assert sys.getprofile() is None and sys.modules["tensorflow"] is not None


def test_the_same_autodiff_function_passes_when_nothing_is_forbidden(tmp_path):
    # The guard is what refuses it, not an accident of the harness.
    data = run_probe(tmp_path, PROBES, "grad", kernel_namespace(HOSTILE["default_argument"]), INPUTS)
    assert data.ok and np.allclose(data.values["value"], EXPECTED)
