"""``test``: a pytest-style function written by course staff judges probe data, outside the sandbox.

The function lives in the rubric's ``judges.py`` and receives the ``Evidence``. It passes by returning
``None`` (or ``True``), fails with a plain ``assert`` whose message becomes the student's reason, and
may return a float in [0, 1] for partial credit (with ``partial: true``). Example::

    - id: ex3-forward-semantics
      kind: test
      function: test_forward_semantics
      probes: [ex3_forward]

    # judges.py
    def test_forward_semantics(evidence, check):
        out = evidence.value("ex3_forward", "out", check)  # helpers: grader.rubric.authoring (docs/judges.md)
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from grader.checks.base import CheckBase, CheckNotRun, Evidence, Verdict


class TestCheck(CheckBase):
    """Staff-written judge function."""

    __test__ = False  # not a pytest test class, despite the name

    kind: Literal["test"] = Field("test", description="Check kind.")
    function: str = Field(description="Name of the function in the rubric's judges.py.")
    probes: list[str] = Field(default_factory=list, description="Probes whose data the function reads (they must have run for it to be judged).")

    def needed_probes(self) -> set[str]:
        return set(self.probes)

    def staff_functions(self) -> dict[str, str]:
        return {"function": self.function}

    def evaluate(self, evidence: Evidence) -> Verdict:
        function = getattr(evidence.staff, self.function, None)
        if function is None:
            raise RuntimeError(f"rubric: judges.py has no function {self.function!r}")
        for name in self.probes:
            evidence.probe(name, self)  # raises CheckNotRun naming the probe and the failing cell
        try:
            outcome = function(evidence, self)
        except AssertionError as failure:
            # First line only: under pytest, assertion rewriting appends the compared expression.
            return Verdict(0.0, str(failure).split("\n")[0] or f"{self.title}: not satisfied.")
        except CheckNotRun:
            raise
        except (ArithmeticError, ValueError, TypeError, KeyError, IndexError) as problem:
            # The data came from the student's code: odd shapes or types are the student's failure.
            raise CheckNotRun(f"Your values could not be checked ({type(problem).__name__}: {problem}).") from None
        if outcome is None or outcome is True:
            return Verdict(1.0, f"{self.title}: correct.")
        if outcome is False:
            return Verdict(0.0, f"{self.title}: not satisfied.")
        fraction, reason = outcome if isinstance(outcome, tuple) else (float(outcome), f"{self.title}: partly correct.")
        return Verdict(float(fraction), reason)
