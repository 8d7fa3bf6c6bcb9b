"""``manual``: points a TA enters later (free-text answers, drawings); shown as pending until scored.

Example::

    - id: ex5-review
      kind: manual
      title: Review questions
      points: 10
      exercise: ex5
      prompt: Answers are correct and precise.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from grader.checks.base import CheckBase, Evidence
from grader.results import CheckResult, CheckStatus


class ManualCheck(CheckBase):
    """A rubric item scored by a person."""

    kind: Literal["manual"] = Field("manual", description="Check kind.")
    prompt: str = Field("", description="What the TA looks for when scoring this item.")

    def judge(self, evidence: Evidence) -> CheckResult:
        return self.result(CheckStatus.pending, 0.0, f"A TA grades this by hand ({self.points:g} points): {self.prompt}".strip())
