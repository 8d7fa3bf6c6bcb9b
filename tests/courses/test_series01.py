"""Series 1 beyond the shared course table (test_courses.py): its judge's products on their own, and hand-written graphs judged by the real probes."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks.graph import GraphSummary, GraphVariable
from grader.rubric import load_assignment
from tests.conftest import REPO, judge_probes, student_namespace


@pytest.fixture(scope="module")
def judges():
    return load_assignment("series01-compression", REPO).staff


def test_grader_cases_divide_evenly_and_avoid_the_template_demo(judges):
    for d, d_prime, n in [*judges.CASES.tolist(), judges.AGAIN_CASE.tolist()]:
        assert (d - d_prime) % n == 0 and d_prime < d
        assert (d, d_prime, n) != (10, 4, 3)  # the notebook's own call: a memoizing function must not hide


def test_products_follow_the_sheet_for_row_vectors(judges):
    rng = np.random.default_rng(0)
    W1, W2 = rng.normal(size=(6, 8)), rng.normal(size=(4, 6))
    x = rng.normal(size=(1, 8))
    x_prime, x_tilde = judges.expected_outputs([W1, W2], x)
    assert np.allclose(x_prime.T, W2 @ W1 @ x.T)  # eq. (1) with a column vector
    assert np.allclose(x_tilde.T, W1.T @ W2.T @ x_prime.T)  # eq. (2)


def test_matrices_are_found_by_name_and_turned_the_sheet_way(judges):
    rng = np.random.default_rng(1)
    W1, W2 = rng.normal(size=(6, 8)), rng.normal(size=(4, 6))
    by_name = GraphSummary([GraphVariable("s/W_2", [4, 6], True, W2), GraphVariable("s/W_1", [8, 6], True, W1.T)])
    matrices = judges.sheet_matrices(by_name, 8, 4, 2)
    assert np.array_equal(matrices[0], W1) and np.array_equal(matrices[1], W2)
    unnamed = GraphSummary([GraphVariable("a", [6, 8], True, W1), GraphVariable("b", [4, 6], True, W2)])
    assert np.array_equal(judges.sheet_matrices(unnamed, 8, 4, 2)[1], W2)
    assert judges.sheet_matrices(GraphSummary([GraphVariable("a", [6, 8], True, W1)]), 8, 4, 2) is None


SHEET_STYLE = """
def build_compression(d, d_prime, n):
    k = (d - d_prime) // n
    x = tf.placeholder(tf.float32, shape=[1, d])
    h = x
    with tf.variable_scope("compression"):
        for i in range(1, n + 1):
            W = tf.get_variable(f"W_{i}", shape=[d - i * k, d - (i - 1) * k])
            h = tf.matmul(h, W, transpose_b=True)
    x_prime = h
    with tf.variable_scope("compression", reuse=True):
        for i in range(n, 0, -1):
            h = tf.matmul(h, tf.get_variable(f"W_{i}"))
    return x, x_prime, h
"""

# The layer convention (x @ W, W of shape (inputs, outputs)) throughout: the same maths, transposed matrices.
LAYER_STYLE = SHEET_STYLE.replace(
    'W = tf.get_variable(f"W_{i}", shape=[d - i * k, d - (i - 1) * k])\n            h = tf.matmul(h, W, transpose_b=True)',
    'W = tf.get_variable(f"W_{i}", shape=[d - (i - 1) * k, d - i * k])\n            h = tf.matmul(h, W)',
).replace('h = tf.matmul(h, tf.get_variable(f"W_{i}"))', 'h = tf.matmul(h, tf.get_variable(f"W_{i}"), transpose_b=True)')

SERIES01_CHECKS = ["s01-variables", "s01-names", "s01-get-variable", "s01-sharing", "s01-x-tilde"]


def graded_series01(tmp_path, source):
    assignment = load_assignment("series01-compression", REPO)
    verdicts = judge_probes(tmp_path, assignment, student_namespace(source, tensorflow_v1=True), ["compression"], SERIES01_CHECKS)
    return {check_id: verdict.points_awarded for check_id, verdict in verdicts.items()}, verdicts


def test_the_sheet_style_earns_every_point(tmp_path):
    points, _ = graded_series01(tmp_path, SHEET_STYLE)
    assert points == {"s01-variables": 5, "s01-names": 1, "s01-get-variable": 3, "s01-sharing": 6, "s01-x-tilde": 8}


def test_a_name_off_the_template_costs_one_named_point_not_three_checks(tmp_path):
    points, verdicts = graded_series01(tmp_path, SHEET_STYLE.replace('f"W_{i}"', 'f"W{i}"'))
    assert points == {"s01-variables": 5, "s01-names": 0, "s01-get-variable": 3, "s01-sharing": 6, "s01-x-tilde": 8}
    assert "created no variable named W_1 (its variables: compression/W1, compression/W2" in verdicts["s01-names"].reason


def test_a_consistent_transposed_convention_keeps_the_variables_points(tmp_path):
    points, _ = graded_series01(tmp_path, LAYER_STYLE)
    assert points == {"s01-variables": 5, "s01-names": 1, "s01-get-variable": 3, "s01-sharing": 6, "s01-x-tilde": 8}


def test_a_mixed_convention_is_named_and_costs_the_variables_points(tmp_path):
    # W_1 the sheet's way, the others transposed: x_prime still fits together, the convention does not.
    mixed = LAYER_STYLE.replace(
        'W = tf.get_variable(f"W_{i}", shape=[d - (i - 1) * k, d - i * k])\n            h = tf.matmul(h, W)',
        'shape = [d - i * k, d - (i - 1) * k] if i == 1 else [d - (i - 1) * k, d - i * k]\n            h = tf.matmul(h, tf.get_variable(f"W_{i}", shape=shape), transpose_b=(i == 1))',
    ).replace('h = tf.matmul(h, tf.get_variable(f"W_{i}"), transpose_b=True)', 'h = tf.matmul(h, tf.get_variable(f"W_{i}"), transpose_b=(i != 1))')
    points, verdicts = graded_series01(tmp_path, mixed)
    assert points["s01-variables"] == 0 and "use one convention for all of them" in verdicts["s01-variables"].reason
    assert points["s01-x-tilde"] == 8


def test_x_prime_and_x_tilde_each_earn_their_part(tmp_path):
    wrong_tilde = SHEET_STYLE.replace("return x, x_prime, h", "return x, x_prime, tf.sigmoid(h)  # pixel values")
    points, verdicts = graded_series01(tmp_path / "tilde", wrong_tilde)
    assert points["s01-x-tilde"] == 4 and "x_tilde is not" in verdicts["s01-x-tilde"].reason
    wrong_prime = SHEET_STYLE.replace("h = tf.matmul(h, W, transpose_b=True)", "h = tf.nn.relu(tf.matmul(h, W, transpose_b=True))")
    points, verdicts = graded_series01(tmp_path / "prime", wrong_prime)
    assert points["s01-x-tilde"] == 4 and "x_prime is not" in verdicts["s01-x-tilde"].reason
    both = wrong_prime.replace("return x, x_prime, h", "return x, x_prime, tf.sigmoid(h)")
    assert graded_series01(tmp_path / "both", both)[0]["s01-x-tilde"] == 0


def test_sharing_waits_for_get_variable_as_the_rubric_says(tmp_path):
    variables = (
        SHEET_STYLE.replace(
            'W = tf.get_variable(f"W_{i}", shape=[d - i * k, d - (i - 1) * k])', 'W = tf.Variable(tf.random_normal([d - i * k, d - (i - 1) * k]), name=f"W_{i}")\n            Ws.append(W)'
        )
        .replace('tf.get_variable(f"W_{i}")', "Ws[i - 1]")
        .replace("    h = x\n", "    h = x\n    Ws = []\n")
    )
    points, verdicts = graded_series01(tmp_path, variables)
    assert points["s01-get-variable"] == 0 and points["s01-sharing"] == 0
    assert verdicts["s01-sharing"].reason.startswith("Depends on s01-get-variable")
