"""Series 4 beyond the shared course table (test_courses.py): its judges on their own (big-O reading, autodiff Hessians), the validate command."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from grader.rubric import load_assignment
from tests.conftest import REPO


@pytest.fixture(scope="module")
def judges():
    return load_assignment("series04-gradients", REPO).staff


@pytest.mark.parametrize(
    "answer, degree",
    [
        ("O(W)", 1),
        ("O(W^2)", 2),
        ("O(W²)", 2),
        ("O(W**2)", 2),
        (r"$\mathcal{O}(|W|)$, linear in the number of weights", 1),
        (r"quadratic: $\mathcal{O}(W^{2})$", 2),
        (r"O\left(W^2\right)", 2),
        (r"O(W \cdot W)", 2),
        ("O(n^2)", 2),
        ("O(N W) for N samples", 1),
        ("cost O(n_w^2)", 2),
        ("linear", 1),
        ("O(W^3)", 3),
        ("O(?)", None),
        ("it depends", None),
    ],
)
def test_big_o_answers_are_read_leniently(judges, answer, degree):
    assert judges.big_o_degree(answer) == degree


def test_autodiff_hessian_diagonal_matches_the_closed_form_of_the_exact_layers(judges):
    inputs, _ = judges.hessian_inputs(np.random.default_rng(0), None)
    W1, W2, W3, x, t = (inputs[key][0] for key in ("W1", "W2", "W3", "x", "t"))
    z1 = np.tanh(W1 @ x)
    z2 = np.tanh(W2 @ z1)
    delta3 = W3 @ z2 - t
    second2 = (1 - z2**2) ** 2 * (W3**2).sum(axis=0) - 2 * z2 * (1 - z2**2) * (W3.T @ delta3)
    exact = judges.exact_diag_hessians({key: value[:1] for key, value in inputs.items()})
    assert np.allclose(exact[2][0], np.outer(np.ones(3), z2**2))  # output layer: z2_i^2
    assert np.allclose(exact[1][0], np.outer(second2, z1**2))  # W2: the diagonal recursion is still exact there


@pytest.mark.slow
def test_validate_command_exits_zero():
    done = subprocess.run([sys.executable, "-m", "grader", "validate", "series04-gradients"], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "scored as expected" in done.stdout
