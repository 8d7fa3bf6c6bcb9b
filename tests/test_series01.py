"""Series 1 end to end (real kernels, TF1 graphs), and its judge's products on their own."""

from __future__ import annotations


import numpy as np
import pytest

from grader.checks.graph import GraphSummary, GraphVariable
from grader.results import CheckStatus
from grader.rubric import load_assignment
from tests.conftest import REPO, expected_scores, validate_by_name

SAMPLES = REPO / "assignments" / "series01-compression" / "samples"


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


@pytest.fixture(scope="module")
def validation():
    return validate_by_name("series01-compression")


@pytest.mark.slow
def test_reference_and_samples_score_as_expected(validation):
    reference = validation["reference"].result
    assert reference.score == 30 and reference.pending_points == 6
    expected = expected_scores("series01-compression")
    assert {name: validation[name].result.score for name in expected} == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    "sample, check_id, words",
    [
        ("python_references", "s01-sharing", "was never fetched again with tf.get_variable"),
        ("tf_variable", "s01-get-variable", "was not created with tf.get_variable"),
        ("transposed_weights", "s01-variables", "the transpose of the expected [6, 8]"),
        ("relu_between_steps", "s01-x-tilde", "x_prime is not W_3···W_1·x for the grader's x"),
        ("memoized", "s01-new-graph", "returned tensors of another graph"),
        ("crash", "s01-x-tilde", "The notebook does not define build_compression"),
        ("untouched_template", "s01-variables", "build_compression raised NotImplementedError"),
    ],
)
def test_lost_points_are_explained(validation, sample, check_id, words):
    check = next(c for c in validation[sample].result.checks if c.check_id == check_id)
    assert check.points_awarded < check.points_possible and check.status != CheckStatus.pending
    assert words in check.reason and check.reason.endswith(".") and "\n" not in check.reason



def test_rubric_points_add_up():
    rubric = load_assignment("series01-compression", REPO).rubric
    automatic = sum(check.points for check in rubric.checks if check.kind != "manual")
    assert (rubric.max_score, automatic) == (36, 30)
