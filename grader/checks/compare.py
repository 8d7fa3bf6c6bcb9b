"""``compare``: values the student's functions produced on grader-chosen inputs vs the expected values.

The expected values come from the reference solution run on the same inputs (``expected: reference``)
or from a staff formula computed outside the sandbox (``expected: formula``, a function in the
rubric's ``judges.py`` taking ``(inputs, held)``). Example::

    - id: ex1-gradients
      kind: compare
      probe: ex1_values
      field: grads
      expected: formula
      formula: ex1_autodiff_grads
      rtol: 1.0e-4
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from grader.checks.base import CheckBase, CheckNotRun, Evidence, Verdict, finite_array


class CompareCheck(CheckBase):
    """Element-wise comparison within a tolerance; partial credit is the fraction of matching cases."""

    kind: Literal["compare"] = Field("compare", description="Check kind.")
    probe: str = Field(description="Probe that called the student's code on grader inputs.")
    field: str = Field(description="Key of the probe output to compare (an array; first axis = test cases).")
    expected: Literal["reference", "formula"] = Field(description="Where the expected values come from.")
    formula: str | None = Field(None, description="Name of a function in the rubric's judges.py, f(inputs, held) -> array (for expected: formula).")
    rtol: float = Field(1e-5, ge=0, description="Relative tolerance (numpy.isclose).")
    atol: float = Field(1e-6, ge=0, description="Absolute tolerance (numpy.isclose).")
    what: str | None = Field(None, description="How to name the compared value to the student (default: the field name).")

    @model_validator(mode="after")
    def _formula_named(self) -> CompareCheck:
        if self.expected == "formula" and not self.formula:
            raise ValueError("expected: formula needs 'formula' (a function name in judges.py)")
        return self

    def needed_probes(self) -> set[str]:
        return {self.probe}

    def staff_functions(self) -> dict[str, str]:
        return {"formula": self.formula} if self.expected == "formula" and self.formula else {}

    def probe_fields(self) -> dict[str, set[str]]:
        return {self.probe: {self.field}}

    def uses_reference(self) -> bool:
        return self.expected == "reference"

    def expected_values(self, evidence: Evidence) -> np.ndarray:
        if self.expected == "reference":
            return np.asarray(evidence.reference_value(self.probe, self.field), dtype=np.float64)
        function = getattr(evidence.staff, self.formula or "", None)
        if function is None:
            raise RuntimeError(f"rubric: judges.py has no function {self.formula!r}")
        return np.asarray(function(evidence.inputs.get(self.probe, {}), evidence.held.get(self.probe, {})), dtype=np.float64)

    def evaluate(self, evidence: Evidence) -> Verdict:
        what = self.what or self.field
        value = evidence.value(self.probe, self.field, self)
        try:
            cases = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            cases = None  # finite_array below says it is not numeric
        if cases is not None and cases.ndim and not np.all(np.isfinite(cases)):
            # Name the inputs: rubrics put the domain's edge values (z exactly 0 or 1) in inputs of their own.
            bad = [index + 1 for index in range(cases.shape[0]) if not np.all(np.isfinite(cases[index]))]
            raise CheckNotRun(f"Your {what} is NaN or infinite on grader-chosen input{'s' if len(bad) > 1 else ''} {', '.join(map(str, bad))} of {cases.shape[0]}.")
        actual = finite_array(value, f"Your {what}")
        expected = self.expected_values(evidence)
        if actual.shape != expected.shape:
            if actual.ndim > 1 and expected.ndim > 1 and actual.shape[0] == expected.shape[0]:
                # One row per grader-chosen input: the shape the student's function returned is the rest.
                raise CheckNotRun(f"On each of the {actual.shape[0]} grader-chosen inputs your {what} has shape {actual.shape[1:]}; shape {expected.shape[1:]} was expected.")
            raise CheckNotRun(f"Your {what} has shape {actual.shape}; shape {expected.shape} was expected.")
        close = np.isclose(actual, expected, rtol=self.rtol, atol=self.atol)
        per_case = close.reshape(close.shape[0], -1).all(axis=1) if close.ndim else close.reshape(1)
        fraction = float(per_case.mean())
        worst = int(np.argmax(np.abs(actual - expected).reshape(per_case.shape[0], -1).max(axis=1))) if close.ndim else 0
        measured = {"cases": int(per_case.size), "matching": int(per_case.sum()), "max_abs_error": float(np.max(np.abs(actual - expected)))}
        if fraction >= 1.0:
            return Verdict(1.0, f"Your {what} matched the expected values on all {per_case.size} grader-chosen inputs.", measured)
        # One line: the reason is a sentence, and numpy would otherwise wrap long arrays at 75 characters.
        got = np.array2string(actual.reshape(per_case.shape[0], -1)[worst], precision=5, threshold=8, max_line_width=10_000)
        want = np.array2string(expected.reshape(per_case.shape[0], -1)[worst], precision=5, threshold=8, max_line_width=10_000)
        return Verdict(
            fraction,
            f"Your {what} matched on {int(per_case.sum())} of {per_case.size} grader-chosen inputs; on input {worst + 1} you returned {got} where {want} was expected.",
            measured,
        )
