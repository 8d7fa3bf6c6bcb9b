"""Every course assignment end to end (real kernels, real TensorFlow), one table row per assignment.

What each assignment must show under ``grader validate``: the reference earns every automatic point,
each hand-made sample earns the score its author intended (``samples/expected.yaml``), and the points a
sample loses are explained in one sentence that names the mistake. The numbers below are the rubric's
design (points per part) and the samples' intended mistakes, not scores copied from a run.
Tests that only one assignment needs live in its own file beside this one (test_pw06.py, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from grader.results import CheckStatus
from grader.rubric import load_assignment
from tests.conftest import REPO, expected_scores


@dataclass(frozen=True)
class Course:
    max_score: float  # the rubric's maximum: automatic and manual points, bonus excluded
    automatic: float  # every point but the manual ones, bonus included: what the reference earns
    pending: float  # manual points a TA scores later
    lost_points: tuple[tuple[str, str, str], ...]  # (sample, check id, words the reason must contain)


COURSES = {
    "pw06-mlp": Course(
        100,
        82,
        20,
        (  # 80 automatic + 2 bonus (lr_schedule)
            ("keras_in_ex3", "ex3-no-keras", "not allowed here"),
            ("undertrained", "ex3-error-rate", "at most 12.00% earns every point, at most 15.00% 50% of them"),
            ("label_lookup", "ex3-error-rate", "computing your model's outputs from its trained weights"),
            ("label_lookup", "ex4-error-rate", "computing your model's outputs from its trained weights"),
            ("crash_in_ex1", "ex1-gradients", "raised"),
            ("wrong_output_activation", "ex3-forward", "sigmoid"),
        ),
    ),
    "series01-compression": Course(
        36,
        30,
        6,
        (
            ("python_references", "s01-sharing", "was never fetched again with tf.get_variable"),
            ("tf_variable", "s01-get-variable", "was not created with tf.get_variable"),
            ("names_off_template", "s01-names", "created no variable named W_1 (its variables: compression/W1"),
            ("sigmoid_output", "s01-x-tilde", "x_tilde is not W_1ᵀ···W_3ᵀ·x_prime"),
            ("relu_between_steps", "s01-x-tilde", "x_prime is not W_3···W_1·x for the grader's x"),
            ("memoized", "s01-new-graph", "returned tensors of another graph"),
            ("crash", "s01-x-tilde", "The notebook does not define build_compression"),
            ("untouched_template", "s01-variables", "build_compression raised NotImplementedError"),
        ),
    ),
    "series04-gradients": Course(
        100,
        40,
        60,
        (
            ("missing_factor_two", "ex3-grad-sq-norm", "matched on 0 of 6 grader-chosen inputs"),
            ("trace_not_transposed", "ex3-grad-trace", "your grad_trace has shape"),
            ("no_curvature_term", "ex2-hessian-layer1", "h''(a)"),
            ("wrong_complexity", "ex2-complexity", "reads as cubic in W"),
            ("crash_in_ex3", "ex3-grad-sq-norm", "grad_sq_norm is not defined after your notebook ran"),
            ("untouched_template", "ex2-hessian-output-layer", "still raises the template's NotImplementedError"),
            ("autodiff_gradients", "ex3-grad-sq-norm", "unavailable: this exercise is to be worked out by hand"),
            ("autodiff_gradients", "ex3-grad-trace", "code used tensorflow"),
        ),
    ),
    "series10-autoencoder": Course(
        100,
        60,
        40,
        (
            ("mean_over_pixels", "ex3-mse-loss", "784 times smaller"),
            ("log_epsilon_too_small", "ex3-reconstruction-xent", "holds NaN or infinite values: its training diverged"),
            ("xavier_variance_as_std", "ex3-init-xavier", "variance 2/(n_in + n_out)"),
            ("linear_output", "ex3-decoder", "the last one included"),
            ("untrained", "ex3-reconstruction-mse", "an untrained network scores about 350"),
            ("no_extra_layer", "ex3-deep-bottleneck", "784 -> 256 -> 128 -> 64"),
            ("crash_in_init", "ex3-init-layout", "init_weights is not defined after your notebook ran"),
        ),
    ),
    "tf-basics": Course(
        37,
        34,
        3,
        (
            ("relu_normal_init", "t-relu-init", "W ~ Uniform(-1, 1) stays within [-1, 1]"),
            ("sum_loss", "t-softmax-graph", "it must be one number, the mean over the batch"),
            ("sum_loss", "t-softmax-accuracy", "NaN"),
            ("adam_optimizer", "t-softmax-optimizer", "not plain gradient descent"),
            ("tf_variable_in_conv", "t-filter-sharing", "created 8 variables"),
            ("crash_in_ex2", "t-softmax-accuracy", "The notebook does not define softmax_classifier"),
            ("untouched_template", "t-softmax-graph", "Your softmax_classifier raised NotImplementedError"),
        ),
    ),
}
LOST_POINTS = [(course_id, *row) for course_id, course in COURSES.items() for row in course.lost_points]


def test_the_table_covers_every_course_assignment():
    from grader.rubric import list_assignments

    assert sorted(COURSES) == sorted(list_assignments(REPO))


@pytest.mark.parametrize("course_id", COURSES)
def test_rubric_points_add_up(course_id):
    rubric = load_assignment(course_id, REPO).rubric
    automatic = sum(check.points for check in rubric.checks if check.kind != "manual")
    assert (rubric.max_score, automatic) == (COURSES[course_id].max_score, COURSES[course_id].automatic)


@pytest.mark.slow
@pytest.mark.parametrize("course_id", COURSES)
def test_reference_earns_every_automatic_point(validated, course_id):
    reference = validated(course_id)["reference"]
    assert reference.ok, [(c.check_id, c.reason) for c in reference.result.checks if c.status != CheckStatus.passed]
    assert reference.result.score == COURSES[course_id].automatic
    assert reference.result.pending_points == COURSES[course_id].pending


@pytest.mark.slow
@pytest.mark.parametrize("course_id", COURSES)
def test_every_sample_scores_its_expected_score(validated, course_id):
    outcomes = validated(course_id)
    expected = expected_scores(course_id)
    assert set(expected) <= set(outcomes)
    # validate's own tolerance: a score is a sum of rounded partial points
    assert {name: outcomes[name].result.score for name in expected} == pytest.approx(expected, abs=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("course_id, sample, check_id, words", LOST_POINTS, ids=[f"{row[0]}-{row[1]}-{row[2]}" for row in LOST_POINTS])
def test_lost_points_are_explained(validated, course_id, sample, check_id, words):
    check = next(c for c in validated(course_id)[sample].result.checks if c.check_id == check_id)
    assert check.points_awarded < check.points_possible and check.status != CheckStatus.pending
    assert words in check.reason and check.reason.endswith(".") and "\n" not in check.reason
