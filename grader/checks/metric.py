"""``metric``: a probe returns model outputs on grader-chosen inputs; the grader scores them with labels it holds.

Example::

    - id: ex3-error-rate
      kind: metric
      probe: ex3_predictions      # returns {"scores": (N, K) array} on images the grader sent
      field: scores
      metric: error_rate
      labels: labels              # grader-held, never sent to the sandbox
      max: 0.12

Metrics where lower is better accept only ``max`` (and higher-is-better only ``min``): a better model
never loses points for being better.
"""

from __future__ import annotations

from typing import Callable, Literal

import numpy as np
from pydantic import Field, model_validator

from grader.checks.base import CheckBase, CheckNotRun, Evidence, Verdict, finite_array


def _predicted_classes(scores: np.ndarray) -> np.ndarray:
    return scores.argmax(axis=1) if scores.ndim == 2 else np.rint(scores)


def error_rate(scores: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(_predicted_classes(scores) != labels))


def accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    return 1.0 - error_rate(scores, labels)


def mse(values: np.ndarray, targets: np.ndarray) -> float:
    return float(np.mean((values - targets.reshape(values.shape)) ** 2))


METRICS: dict[str, tuple[Callable[[np.ndarray, np.ndarray], float], str]] = {
    "error_rate": (error_rate, "lower"),
    "accuracy": (accuracy, "higher"),
    "mse": (mse, "lower"),
}


class MetricCheck(CheckBase):
    """A metric computed by the grader from probe outputs and grader-held targets, compared with a bound."""

    kind: Literal["metric"] = Field("metric", description="Check kind.")
    probe: str = Field(description="Probe whose output is scored.")
    field: str = Field(description="Key of the probe output holding predictions (class scores or values).")
    metric: Literal["error_rate", "accuracy", "mse"] = Field(description="Metric the grader computes.")
    labels: str = Field(description="Key of the grader-held data (returned by the probe's input maker) with the targets.")
    min: float | None = Field(None, description="Lowest acceptable value (only for metrics where higher is better).")
    max: float | None = Field(None, description="Highest acceptable value (only for metrics where lower is better).")
    expected_rows: int | None = Field(None, description="Number of predictions required; defaults to the number of targets.")

    @model_validator(mode="after")
    def _bound_points_the_right_way(self) -> "MetricCheck":
        direction = METRICS[self.metric][1]
        if direction == "lower" and (self.min is not None or self.max is None):
            raise ValueError(f"{self.metric}: lower is better, so give only 'max' (a better model never loses points)")
        if direction == "higher" and (self.max is not None or self.min is None):
            raise ValueError(f"{self.metric}: higher is better, so give only 'min' (a better model never loses points)")
        return self

    def needed_probes(self) -> set[str]:
        return {self.probe}

    def probe_fields(self) -> dict[str, set[str]]:
        return {self.probe: {self.field}}

    def evaluate(self, evidence: Evidence) -> Verdict:
        outputs = finite_array(evidence.value(self.probe, self.field, self), f"The output '{self.field}' of your model")
        held = evidence.held.get(self.probe, {})
        if self.labels not in held:
            raise RuntimeError(f"rubric: probe {self.probe} has no grader-held '{self.labels}'")
        targets = np.asarray(held[self.labels])
        rows = self.expected_rows or len(targets)
        if outputs.ndim == 0 or outputs.shape[0] != rows:
            raise CheckNotRun(f"Your model returned {outputs.shape[0] if outputs.ndim else 'a scalar'} predictions for {rows} inputs.")
        function, direction = METRICS[self.metric]
        value = function(outputs, targets)
        label = self.metric.replace("_", " ")
        article = "an" if label[0] in "aeiou" else "a"
        shown = f"{value:.2%}" if self.metric in {"error_rate", "accuracy"} else f"{value:.4g}"
        measured = {self.metric: value, "n": rows}
        if direction == "lower":
            bound = f"{self.max:.2%}" if self.metric == "error_rate" else f"{self.max:.4g}"
            ok = value <= self.max
            reason = f"The grader measured {article} {label} of {shown} on {rows} held-out examples; at most {bound} is required."
        else:
            bound = f"{self.min:.2%}" if self.metric == "accuracy" else f"{self.min:.4g}"
            ok = value >= self.min
            reason = f"The grader measured {article} {label} of {shown} on {rows} held-out examples; at least {bound} is required."
        return Verdict(1.0 if ok else 0.0, reason, measured)
