"""``manual``: points a TA enters later (free-text answers, drawings); shown as pending until scored.

Example::

    - id: ex5-review
      kind: manual
      title: Review questions
      points: 10
      exercise: ex5
      prompt: "Gradient distributor/switch/router gates; 4 advantages."   # the TA's answer key: staff only
      student_prompt: Name the gates and the advantages, with a sentence each.   # optional, in the report
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from grader.checks.base import CheckBase, Evidence
from grader.results import CheckResult, CheckStatus


class ManualCheck(CheckBase):
    """A rubric item scored by a person."""

    kind: Literal["manual"] = Field("manual", description="Check kind.")
    prompt: str = Field("", description="What the TA looks for when scoring this item (often the answer key): shown to staff only, never in a student's report.")
    student_prompt: str = Field("", description="What the student's report says this item asks for, when the title is not enough (optional; never the answer key).")

    def judge(self, evidence: Evidence) -> CheckResult:
        # The prompt is the TA's answer key: printing it in every report would hand it to the students.
        asks = f": {self.student_prompt}" if self.student_prompt else "."
        return self.result(CheckStatus.pending, 0.0, f"A TA grades this by hand ({self.points:g} points){asks}")
