"""``metric``: the grader scores a model's outputs against targets it holds, and compares with a bound.

Where the rubric knows the architecture, the outputs are computed *here*, from the weights the probe
exported, on evaluation data that never entered the sandbox (``predict`` names a function of the
rubric's judges.py): no function of the student's decides a metric, so labels pasted into a notebook
cannot earn it. Example::

    - id: ex3-error-rate
      kind: metric
      probe: ex3_params           # exports the trained weights only
      predict: ex3_host_scores    # judges.py: (probe values, held data) -> (N, K) scores, computed here
      metric: error_rate
      labels: labels              # grader-held, never sent to the sandbox
      max: 0.12                   # full points
      partial: true
      bands: [{bound: 0.15, fraction: 0.5}]   # half the points up to 15 %

Without ``predict``, ``field`` names probe outputs computed in the sandbox: only for inputs whose
answers a notebook cannot hold. Metrics where lower is better accept only ``max`` (and higher-is-better
only ``min``), and bands only loosen it with smaller fractions: a better model never loses points.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from grader.checks.base import CheckBase, CheckNotRun, Evidence, Verdict, finite_array, host_outputs


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


class MetricBand(BaseModel):
    """A looser bound than the full-points one, earning a fraction of the points."""

    model_config = ConfigDict(extra="forbid")

    bound: float = Field(description="The metric's bound for this band (a max for lower-is-better metrics, a min otherwise).")
    fraction: float = Field(gt=0, lt=1, description="Fraction of the check's points earned within this band.")


def _shown(metric: str, value: float) -> str:
    return f"{value:.2%}" if metric in {"error_rate", "accuracy"} else f"{value:.4g}"


class MetricCheck(CheckBase):
    """A metric computed by the grader from probe outputs and grader-held targets, compared with a bound."""

    kind: Literal["metric"] = Field("metric", description="Check kind.")
    probe: str = Field(description="Probe whose output is scored.")
    field: str | None = Field(None, description="Key of the probe output holding predictions made in the sandbox (only without predict).")
    predict: str | None = Field(
        None, description="Function of the rubric's judges.py, (probe values, held data) -> predictions, that computes the model's outputs on the host from the weights the probe exported."
    )
    metric: Literal["error_rate", "accuracy", "mse"] = Field(description="Metric the grader computes.")
    labels: str = Field(description="Key of the grader-held data (returned by the probe's input maker) with the targets.")
    min: float | None = Field(None, description="Lowest acceptable value (only for metrics where higher is better).")
    max: float | None = Field(None, description="Highest acceptable value (only for metrics where lower is better).")
    expected_rows: int | None = Field(None, description="Number of predictions required; defaults to the number of targets.")
    bands: list[MetricBand] = Field(default_factory=list, description="Partial credit beyond the full-points bound (needs partial: true); looser bounds earn smaller fractions.")

    @model_validator(mode="after")
    def _bound_points_the_right_way(self) -> MetricCheck:
        direction = METRICS[self.metric][1]
        if direction == "lower" and (self.min is not None or self.max is None):
            raise ValueError(f"{self.metric}: lower is better, so give only 'max' (a better model never loses points)")
        if direction == "higher" and (self.max is not None or self.min is None):
            raise ValueError(f"{self.metric}: higher is better, so give only 'min' (a better model never loses points)")
        if (self.field is None) == (self.predict is None):
            raise ValueError("give exactly one of 'field' (outputs made in the sandbox) and 'predict' (outputs computed by the grader)")
        if self.bands:
            if not self.partial:
                raise ValueError("bands give partial credit: set partial: true")
            sign = 1 if direction == "lower" else -1  # walk from the strictest bound to the loosest
            bounds = [sign * self._full(direction)] + [sign * band.bound for band in self.bands]
            fractions = [1.0] + [band.fraction for band in self.bands]
            if any(b >= a for a, b in zip(bounds[1:], bounds)) or any(f <= g for f, g in zip(fractions, fractions[1:])):
                raise ValueError("bands must loosen the bound step by step with smaller fractions (a better model never loses points)")
        return self

    def _full(self, direction: str) -> float:
        """The bound for full points: ``max`` or ``min``, whichever the metric's direction takes."""
        full = self.max if direction == "lower" else self.min
        assert full is not None  # the validator above requires it
        return full

    def _outputs(self, evidence: Evidence, held: dict) -> np.ndarray:
        if self.field is not None:
            return finite_array(evidence.value(self.probe, self.field, self), f"The output '{self.field}' of your model")
        assert self.predict is not None  # the validator requires exactly one of field and predict
        outputs = host_outputs(evidence.staff, self.predict, evidence.probe(self.probe, self).values, held)
        return finite_array(outputs, "The outputs the grader computed from your model's weights")

    def _band(self, value: float, direction: str) -> tuple[float, str]:
        """The fraction earned, and the rule in words."""
        full = self._full(direction)
        words = "at most" if direction == "lower" else "at least"
        rule = f"{words} {_shown(self.metric, full)} is required"
        if self.bands:
            rule = f"{words} {_shown(self.metric, full)} earns every point, " + ", ".join(f"{words} {_shown(self.metric, band.bound)} {band.fraction:.0%} of them" for band in self.bands)
        for bound, fraction in [(full, 1.0)] + [(band.bound, band.fraction) for band in self.bands]:
            if (value <= bound) if direction == "lower" else (value >= bound):
                return fraction, rule
        return 0.0, rule

    def needed_probes(self) -> set[str]:
        return {self.probe}

    def probe_fields(self) -> dict[str, set[str]]:
        return {self.probe: {self.field}} if self.field else {}

    def staff_functions(self) -> dict[str, str]:
        return {"predict": self.predict} if self.predict else {}

    def evaluate(self, evidence: Evidence) -> Verdict:
        held = evidence.held.get(self.probe, {})
        if self.labels not in held:
            raise RuntimeError(f"rubric: probe {self.probe} has no grader-held '{self.labels}'")
        outputs = self._outputs(evidence, held)
        targets = np.asarray(held[self.labels])
        rows = self.expected_rows or len(targets)
        if outputs.ndim == 0 or outputs.shape[0] != rows:
            raise CheckNotRun(f"Your model returned {outputs.shape[0] if outputs.ndim else 'a scalar'} predictions for {rows} inputs.")
        function, direction = METRICS[self.metric]
        value = function(outputs, targets)
        label = self.metric.replace("_", " ")
        article = "an" if label[0] in "aeiou" else "a"
        fraction, rule = self._band(value, direction)
        how = ", computing your model's outputs from its trained weights" if self.predict else ""
        reason = f"The grader measured {article} {label} of {_shown(self.metric, value)} on {rows} held-out examples{how}; {rule}."
        return Verdict(fraction, reason, {self.metric: value, "n": rows})
