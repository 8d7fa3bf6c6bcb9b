"""The late policy, applied whenever a score is (re)computed: at grading and after a manual import.

The score is always derived from the checks, so applying it twice, or after a TA changed a manual item,
gives the same answer::

    earned  = sum of points awarded by the checks
    percent = min(max_percent, percent_per_day * whole days late)     # each started day counts
    score   = earned - earned * percent / 100
"""

from __future__ import annotations

import math

from grader.lms.roster import RosterEntry
from grader.results import AWAITING_TA, SubmissionResult
from grader.rubric.models import LatePolicy

UNKNOWN_DAYS_WITHOUT_POLICY = 1.0


def days_late(entry: RosterEntry | None, policy: LatePolicy | None) -> float:
    """Days late by the roster; a late mark without a duration counts as the policy's unknown_days."""
    if entry is None:
        return 0.0
    if entry.days_late is not None:
        return entry.days_late
    if not entry.late:
        return 0.0
    return policy.unknown_days if policy else UNKNOWN_DAYS_WITHOUT_POLICY


def apply_late_policy(result: SubmissionResult, policy: LatePolicy | None, entry: RosterEntry | None) -> SubmissionResult:
    """The result rescored from its checks, minus the late penalty (recorded in days_late and late_penalty)."""
    earned = round(sum(check.points_awarded for check in result.checks), 4)
    days = days_late(entry, policy)
    percent = min(policy.max_percent, policy.percent_per_day * math.ceil(days)) if policy and days > 0 else 0.0
    penalty = round(earned * percent / 100, 4)
    return result.model_copy(
        update={
            "score": round(earned - penalty, 4),
            "pending_points": sum(c.points_possible for c in result.checks if c.status in AWAITING_TA),
            "days_late": days,
            "late_penalty": penalty,
        }
    )


__all__ = ["apply_late_policy", "days_late"]
