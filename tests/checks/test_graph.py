"""The ``graph`` check kind judges real TF1 graphs, summarised by grader.probes.tf1 and read back as plain data."""

from __future__ import annotations

import re

import numpy as np
import pytest
from pydantic import ValidationError

from grader.checks.base import Evidence, ProbeData, import_tensorflow
from grader.checks.graph import GraphCheck, evaluate_expression, name_matches
from grader.results import CheckStatus
from grader.rubric.models import Rubric
from tests.probes.harness import run_probe

CASES = np.array([[8, 2, 3], [12, 6, 2]])

SERIES01 = dict(
    id="variables",
    title="W_1 ... W_n with the sheet's shapes",
    points=6,
    probe="compression",
    summary="graphs",
    cases="cases",
    parameters=["d", "d_prime", "n"],
    call="build_compression({d}, {d_prime}, {n})",
    count="n",
    variables=[{"name": "W_{i}", "for_each": "n", "shape": ["d - i*((d - d_prime)//n)", "d - (i - 1)*((d - d_prime)//n)"]}],
)

PROBES = """
from grader.probes import defined, tf1


def compression(ns, inputs):
    graphs = {}
    for index, (d, d_prime, n) in enumerate(inputs["cases"].tolist()):
        graphs[str(index)] = tf1.graph_summary(tf1.run_in_fresh_graph(defined(ns, "build_compression"), int(d), int(d_prime), int(n)))
    return {"graphs": graphs}


def filters(ns, inputs):
    import tensorflow as tf

    def my_image_filter():
        image = tf.compat.v1.placeholder(tf.float32, [1, 8, 8, 32])
        with tf.compat.v1.variable_scope("image_filters") as scope:
            ns["my_image_filter"](image)
            scope.reuse_variables()
            ns["my_image_filter"](image)

    return {"graph": tf1.graph_summary(tf1.run_in_fresh_graph(my_image_filter))}
"""


@pytest.fixture(scope="module")
def tf():
    return import_tensorflow().compat.v1


def make_builder(tf, *, share="reuse", create="get_variable", transpose=False):
    """build_compression as students write it: sharing by reuse, AUTO_REUSE or a Python list; tf.Variable or get_variable."""

    def build_compression(d, d_prime, n):
        k = (d - d_prime) // n
        x = tf.placeholder(tf.float32, [1, d])
        weights, h = [], x
        for i in range(1, n + 1):
            shape = [d - i * k, d - (i - 1) * k]
            shape = shape[::-1] if transpose else shape
            with tf.variable_scope("compression", reuse=tf.AUTO_REUSE if share == "auto" else None):
                if create == "get_variable":
                    W = tf.get_variable(f"W_{i}", shape)
                else:
                    W = tf.Variable(tf.random_normal(shape), name=f"W_{i}")
            weights.append(W)
            h = tf.matmul(h, W, transpose_b=not transpose)
        x_prime = h
        for i in range(n, 0, -1):
            if share == "list":
                W = weights[i - 1]
            elif share == "new":
                with tf.variable_scope("decompression"):
                    W = tf.get_variable(f"W_{i}", weights[i - 1].shape)
            else:
                with tf.variable_scope("compression", reuse=True if share == "reuse" else tf.AUTO_REUSE):
                    W = tf.get_variable(f"W_{i}")
            h = tf.matmul(h, W, transpose_b=transpose)
        return x, x_prime, h

    return build_compression


def judge(check: GraphCheck, data: ProbeData, inputs: dict):
    evidence = Evidence(probes={data.name: data}, held={}, inputs={data.name: inputs}, reference=None, code_cells=[], cells=[], staff=None)
    return check.judge(evidence)


def graded(tmp_path, builder, **fields):
    data = run_probe(tmp_path, PROBES, "compression", {"build_compression": builder}, {"cases": CASES})
    assert data.ok, data.error
    return judge(GraphCheck(**{**SERIES01, **fields}), data, {"cases": CASES})


# -- the rubric side --------------------------------------------------------------------------------


def test_expressions_are_integer_arithmetic_over_the_parameters():
    assert evaluate_expression("d - i*((d - d_prime)//n)", {"d": 17, "d_prime": 5, "n": 4, "i": 2}) == 11
    assert evaluate_expression(-3, {}) == -3 and evaluate_expression("-(n % 2) + 1", {"n": 3}) == 0


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"count": "m"}, "uses m, which is not among the parameters"),
        ({"count": "__import__('os').getpid()"}, "only + - * // %"),
        ({"count": "n / 2"}, "only + - * // %"),
        ({"count": "n * 1.5"}, "only integer constants"),
        ({"variables": [{"name": "W_{i}", "shape": ["i"]}]}, "uses i"),
        ({"cases": None}, "give 'cases' too"),
        ({"call": "build_compression({d}, {k})"}, "call 'build_compression({d}, {k})' uses k"),
        ({"count": None, "variables": []}, "needs 'count' or 'variables'"),
        ({"count": 2, "variables": [], "shared_by_reuse": True}, "list them"),
    ],
)
def test_bad_expectations_are_rejected_when_the_rubric_loads(fields, words):
    with pytest.raises(ValidationError, match=re.escape(words)):
        GraphCheck(**{**SERIES01, **fields})


def test_a_rubric_selects_the_kind_by_name():
    rubric = Rubric.model_validate({"id": "s", "title": "S", "notebook": "s.ipynb", "probes": {"compression": {}}, "checks": [{"kind": "graph", **SERIES01}]})
    assert isinstance(rubric.checks[0], GraphCheck) and rubric.checks[0].needed_probes() == {"compression"}


def test_names_match_with_or_without_scopes():
    assert name_matches("compression/W_1:0", "W_1") and name_matches("W_1", "W_1")
    assert name_matches("image_filters/conv1/weights", "conv1/weights") and name_matches("anything/at_all", "*")
    assert not name_matches("compression/W_11", "W_1") and not name_matches("xW_1", "W_1")


# -- judging real graphs ------------------------------------------------------------------------------


@pytest.mark.parametrize("share", ["reuse", "auto"])
def test_sheet_shapes_and_sharing_by_reuse_pass(tf, tmp_path, share):
    result = graded(tmp_path, make_builder(tf, share=share), created_by_get_variable=True, shared_by_reuse=True)
    assert result.status == CheckStatus.passed, result.reason
    assert "build_compression(8, 2, 3), build_compression(12, 6, 2) met every expectation" in result.reason


def test_python_references_are_not_sharing(tf, tmp_path):
    result = graded(tmp_path, make_builder(tf, share="list"), shared_by_reuse=True)
    assert result.status == CheckStatus.failed and result.points_awarded == 0
    assert result.reason.startswith("In build_compression(8, 2, 3), compression/W_1 was never fetched again with tf.get_variable")
    assert "0 of the 2 graphs were as expected." in result.reason


def test_tf_variable_is_not_get_variable(tf, tmp_path):
    result = graded(tmp_path, make_builder(tf, share="list", create="variable"), created_by_get_variable=True)
    assert result.status == CheckStatus.failed
    assert "W_1 was not created with tf.get_variable" in result.reason


def test_new_variables_in_the_decompression_break_the_count(tf, tmp_path):
    result = graded(tmp_path, make_builder(tf, share="new"))
    assert result.reason.startswith("build_compression(8, 2, 3) created 6 variables (compression/W_1, compression/W_2, compression/W_3, decompression/W_3")
    assert "exactly 3 were expected" in result.reason


def test_transposed_shapes_are_named_as_such(tf, tmp_path):
    result = graded(tmp_path, make_builder(tf, transpose=True))
    assert result.reason.startswith("In build_compression(8, 2, 3), compression/W_1 has shape [8, 6], the transpose of the expected [6, 8].")


def test_partial_credit_counts_the_graphs_that_meet_every_expectation(tf, tmp_path):
    correct = make_builder(tf)

    def build_compression(d, d_prime, n):
        if n != 3:
            raise ValueError("only n = 3 is supported")
        return correct(d, d_prime, n)

    result = graded(tmp_path, build_compression, partial=True)
    assert result.status == CheckStatus.partial and result.points_awarded == pytest.approx(3.0)
    assert result.reason.startswith("Calling build_compression(12, 6, 2) in a new graph failed: build_compression raised ValueError: only n = 3 is supported. 1 of the 2 graphs was as expected.")
    assert result.measured == {"graphs": 2, "graphs_as_expected": 1}


def test_four_shared_filter_variables(tf, tmp_path):
    def conv_relu(images, kernel_shape, bias_shape, create):
        if create == "get_variable":
            weights = tf.get_variable("weights", kernel_shape)
            biases = tf.get_variable("biases", bias_shape, initializer=tf.zeros_initializer())
        else:
            weights, biases = tf.Variable(tf.zeros(kernel_shape), name="weights"), tf.Variable(tf.zeros(bias_shape), name="biases")
        return tf.nn.relu(tf.nn.conv2d(images, weights, [1, 1, 1, 1], "SAME") + biases)

    def image_filter(create):
        def my_image_filter(images):
            with tf.variable_scope("conv1"):
                images = conv_relu(images, [5, 5, 32, 32], [32], create)
            with tf.variable_scope("conv2"):
                return conv_relu(images, [5, 5, 32, 32], [32], create)

        return my_image_filter

    check = GraphCheck(
        id="filters",
        title="Four shared variables",
        points=5,
        probe="filters",
        summary="graph",
        count=4,
        variables=[{"name": f"conv{i}/{part}", "shape": shape} for i in (1, 2) for part, shape in (("weights", [5, 5, 32, 32]), ("biases", [32]))],
        created_by_get_variable=True,
        shared_by_reuse=True,
    )
    good = run_probe(tmp_path / "good", PROBES, "filters", {"my_image_filter": image_filter("get_variable")})
    assert judge(check, good, {}).status == CheckStatus.passed
    bad = run_probe(tmp_path / "bad", PROBES, "filters", {"my_image_filter": image_filter("variable")})
    result = judge(check, bad, {})
    assert result.status == CheckStatus.failed
    assert result.reason.startswith("Your code created 8 variables (image_filters/conv1/weights") and "exactly 4 were expected" in result.reason


def test_missing_summary_is_not_run_and_names_the_call():
    data = ProbeData("compression", values={"other": 1})
    result = judge(GraphCheck(**SERIES01), data, {"cases": CASES})
    assert result.status == CheckStatus.error
    assert result.reason == "Not evaluated: The grader could not inspect the graph built by build_compression(8, 2, 3)."


def test_damaged_summary_is_not_run():
    values = {"variables.names": ["W_1"], "variables.ranks": np.array([2]), "variables.dims": np.array([3]), "variables.trainable": np.array([1])}
    check = GraphCheck(id="g", title="G", points=1, probe="p", summary="", count=1)
    result = judge(check, ProbeData("p", values=values), {})
    assert result.status == CheckStatus.error and "inconsistent" in result.reason
