"""grader.probes.tf1 on real tf.compat.v1 graphs: get_variable calls are seen as they happen, summaries are plain data."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from grader.checks.base import import_tensorflow
from grader.checks.graph import read_summary
from grader.probes import defined, tf1
from tests.conftest import REPO
from tests.probes.harness import run_probe


@pytest.fixture(scope="module")
def tf():
    return import_tensorflow().compat.v1


def shared_pair(tf):
    """Creates foo/v, then fetches it again under reuse=True: one variable, two get_variable calls."""
    with tf.variable_scope("foo"):
        v = tf.get_variable("v", [2, 3])
    with tf.variable_scope("foo", reuse=True):
        v1 = tf.get_variable("v")
    return v, v1


def test_record_get_variable_sees_creation_and_reuse(tf):
    built = tf1.run_in_fresh_graph(shared_pair, tf)
    v, v1 = built.value()
    assert v is v1
    assert [(c.name, c.shape, c.reuse, c.existing) for c in built.calls] == [("foo/v", [2, 3], 0, False), ("foo/v", [2, 3], 1, True)]


def test_every_spelling_of_get_variable_is_recorded(tf):
    from tensorflow.compat.v1 import get_variable  # a student may import the function itself

    def spellings():
        with tf.variable_scope("s", reuse=tf.AUTO_REUSE):
            get_variable("a", [1])
            tf.get_variable("a", [1])
            import_tensorflow().compat.v1.get_variable("a", [1])
        tf.Variable(tf.zeros([1]), name="plain")  # not a get_variable call

    calls = tf1.run_in_fresh_graph(spellings).calls
    assert [(c.name, c.existing, c.reuse) for c in calls] == [("s/a", False, 2), ("s/a", True, 2), ("s/a", True, 2)]


def test_recording_is_undone_after_the_block_even_on_error(tf):
    from tensorflow.python.ops import variable_scope

    original = variable_scope._VariableStore.get_variable
    with pytest.raises(RuntimeError):
        with tf1.record_get_variable():
            assert variable_scope._VariableStore.get_variable is not original
            raise RuntimeError("boom")
    assert variable_scope._VariableStore.get_variable is original


def test_fresh_graph_leaves_the_default_graph_alone_and_keeps_the_error(tf):
    before = len(tf.get_default_graph().get_operations())

    def build_compression(d):
        tf.get_variable("W_1", [d, d])
        raise ValueError("Dimensions must be equal, but are 3 and 4\n\nlong trace follows")

    first, second = tf1.run_in_fresh_graph(build_compression, 3), tf1.run_in_fresh_graph(build_compression, 3)
    assert first.graph is not second.graph  # no "already exists": every call gets its own graph
    assert first.error == "build_compression raised ValueError: Dimensions must be equal, but are 3 and 4"
    assert [c.name for c in first.calls] == ["W_1"]
    with pytest.raises(tf1.CallFailed, match="your build_compression raised ValueError"):
        first.value()
    assert len(tf.get_default_graph().get_operations()) == before


def test_the_grader_time_limit_still_ends_the_probe(tf):
    def endless():
        raise KeyboardInterrupt  # what the runner's interrupt looks like inside the kernel

    with pytest.raises(KeyboardInterrupt):
        tf1.run_in_fresh_graph(endless)


def test_graph_variables_sessions_and_values(tf):
    def layer():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        W = tf.get_variable("W", [3, 2], initializer=tf.constant_initializer(2.0))
        b = tf.Variable(tf.ones([2]), name="b", trainable=False)
        return x, tf.matmul(x, W) + b

    built = tf1.run_in_fresh_graph(layer)
    x, out = built.value()
    assert tf1.graph_variables(built.graph) == [("W", [3, 2]), ("b", [2])]
    assert tf1.evaluate(built.graph, out, {x: np.ones((1, 3))}).tolist() == [[7.0, 7.0]]
    assert tf1.tensor_summary(x) == {"op": "Placeholder", "rank": 2, "dims": [-1, 3], "dtype": "float32"}
    with tf1.initialized_session(built.graph) as session:
        summary = tf1.graph_summary(built, session)
    assert summary["variables"] == {"names": ["W", "b"], "ranks": [2, 1], "dims": [3, 2, 2], "trainable": [1, 0]}
    assert summary["get_variable"] == {"names": ["W"], "existing": [0], "reuse": [0]}
    assert summary["values"]["0"].tolist() == [[2.0, 2.0]] * 3 and summary["values"]["1"].tolist() == [1.0, 1.0]


def test_training_ops_name_the_optimizer_and_its_learning_rate(tf):
    def classifier(optimizer):
        W = tf.get_variable("W", [2], initializer=tf.zeros_initializer())
        return optimizer.minimize(tf.reduce_sum(tf.square(W - 1.0)))

    plain = tf1.run_in_fresh_graph(lambda: classifier(tf.train.GradientDescentOptimizer(0.5)))
    adam = tf1.run_in_fresh_graph(lambda: classifier(tf.train.AdamOptimizer(0.01)))
    assert tf1.training_ops(plain.graph) == {"types": ["ResourceApplyGradientDescent"], "learning_rates": [0.5]}
    adam_ops = tf1.training_ops(adam.graph)
    assert adam_ops["types"] == ["ResourceApplyAdam"] and np.isnan(adam_ops["learning_rates"][0])


PROBES = """
from grader.probes import defined, tf1


def compression(ns, inputs):
    graphs = {}
    for index, (d, n) in enumerate(inputs["cases"].tolist()):
        built = tf1.run_in_fresh_graph(defined(ns, "build"), int(d), int(n))
        graphs[str(index)] = tf1.graph_summary(built)
    return {"graphs": graphs}
"""


def test_summaries_cross_the_sandbox_boundary_as_plain_data(tf, tmp_path):
    """Through the real probe runtime and artifact reader: the host reads back what the probe saw."""

    def build(d, n):
        if n == 0:
            raise ZeroDivisionError("division by zero")
        with tf.variable_scope("enc"):
            weights = [tf.get_variable(f"W_{i}", [d - i, d - i + 1]) for i in range(1, n + 1)]
        with tf.variable_scope("enc", reuse=True):
            tf.get_variable("W_1")
        return weights

    data = run_probe(tmp_path, PROBES, "compression", {"build": build}, {"cases": np.array([[5, 2], [4, 1], [3, 0]])})
    assert data.ok, data.error
    first, second, broken = (read_summary(data.values, f"graphs.{index}") for index in range(3))
    assert [(v.name, v.shape) for v in first.variables] == [("enc/W_1", [4, 5]), ("enc/W_2", [3, 4])]
    assert first.shared_by_reuse("enc/W_1") and not first.shared_by_reuse("enc/W_2") and first.created_by_get_variable("enc/W_2")
    assert [(v.name, v.shape) for v in second.variables] == [("enc/W_1", [3, 4])]
    assert broken.error == "build raised ZeroDivisionError: division by zero" and broken.variables == []


def test_a_missing_student_name_is_a_sentence():
    with pytest.raises(NameError, match="the notebook does not define build_compression"):
        defined({}, "build_compression")


def test_importing_the_helpers_imports_no_tensorflow():
    code = "import sys, grader.probes.tf1; print('tensorflow' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.stdout.split() == ["False"], done.stderr


def test_helper_errors_reach_the_student_as_sentences(tf, tmp_path):
    probes = (
        "from grader.probes import defined, tf1\n\n\n"
        "def missing(ns, inputs):\n    return defined(ns, 'softmax_classifier')(784, 10)\n\n\n"
        "def failing(ns, inputs):\n    return tf1.run_in_fresh_graph(ns['softmax_classifier'], 784, 10).value()\n"
    )

    def softmax_classifier(d_in, k):
        raise NotImplementedError

    missing = run_probe(tmp_path / "missing", probes, "missing", {})
    failing = run_probe(tmp_path / "failing", probes, "failing", {"softmax_classifier": softmax_classifier})
    assert missing.error == "the notebook does not define softmax_classifier (run every cell and keep the template's names)"
    assert failing.error == "your softmax_classifier raised NotImplementedError"
