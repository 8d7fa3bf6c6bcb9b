"""Metric checks computed on the host from exported weights, with partial-credit bands."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from grader.checks import MetricCheck
from grader.checks.base import CheckNotRun, Evidence, ProbeData
from grader.results import CheckStatus

LABELS = np.arange(100) % 10


def host_scores(values, held):
    """A linear classifier rebuilt from its weights: what a rubric's judges.py provides."""
    weights = np.asarray(values["W"], dtype=np.float64)
    if weights.shape != (10, 10):
        raise CheckNotRun(f"W has shape {list(weights.shape)}; [10, 10] was expected.")
    return held["images"] @ weights


def evidence_with(weights):
    return Evidence(
        probes={"params": ProbeData("params", {"W": weights})},
        held={"params": {"images": np.eye(10)[LABELS], "labels": LABELS}},
        inputs={},
        reference=None,
        code_cells=[],
        cells=[],
        staff=SimpleNamespace(host_scores=host_scores),
    )


CHECK = MetricCheck(
    id="err",
    title="error rate",
    points=10,
    probe="params",
    predict="host_scores",
    metric="error_rate",
    labels="labels",
    max=0.12,
    partial=True,
    bands=[{"bound": 0.15, "fraction": 0.5}],
)


def weights_with_errors(wrong: int) -> np.ndarray:
    """Identity weights that misclassify ``wrong`` of the 100 examples (whole digits at 10 % each, then single ones)."""
    weights = np.eye(10)
    for digit in range(wrong // 10):
        weights[digit] = np.roll(weights[digit], 1)
    return weights


@pytest.mark.parametrize("wrong, points, status", [(0, 10, "passed"), (10, 10, "passed"), (20, 0, "failed")])
def test_error_rate_is_measured_from_the_weights(wrong, points, status):
    result = CHECK.judge(evidence_with(weights_with_errors(wrong)))
    assert (result.points_awarded, result.status.value) == (points, status), result.reason
    assert "computing your model's outputs from its trained weights" in result.reason
    assert result.measured["error_rate"] == pytest.approx(wrong / 100)


def test_the_band_gives_half_the_points_and_says_so():
    check = CHECK.model_copy(update={"max": 0.05, "bands": [CHECK.bands[0].model_copy(update={"bound": 0.10})]})
    result = check.judge(evidence_with(weights_with_errors(10)))
    assert result.status == CheckStatus.partial and result.points_awarded == 5
    assert "at most 5.00% earns every point, at most 10.00% 50% of them" in result.reason


def test_better_models_never_earn_less():
    earned = [CHECK.judge(evidence_with(weights_with_errors(wrong))).points_awarded for wrong in range(0, 101, 10)]
    assert earned == sorted(earned, reverse=True)


def test_weights_the_host_cannot_use_earn_zero_with_a_reason():
    result = CHECK.judge(evidence_with(np.ones((3, 3))))
    assert result.status == CheckStatus.error and result.points_awarded == 0
    assert "W has shape [3, 3]" in result.reason
