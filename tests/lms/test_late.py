"""The late policy: percent of the points earned per started day, capped; derived from the checks each time."""

from __future__ import annotations

import pytest

from grader.lms import RosterEntry, apply_late_policy
from grader.rubric.models import LatePolicy, Rubric
from tests.reports.samples import sample_results

POLICY = LatePolicy(percent_per_day=10, max_percent=25)


def alice():
    return sample_results()[0]  # 15 points earned, 5 pending


@pytest.mark.parametrize(
    "entry, days, penalty",
    [
        (None, 0, 0),
        (RosterEntry(student="x"), 0, 0),
        (RosterEntry(student="x", late=True), 1, 1.5),  # Canvas says late, not how late: unknown_days (1)
        (RosterEntry(student="x", late=True, days_late=1.2), 1.2, 3.0),  # a started day counts whole
        (RosterEntry(student="x", late=True, days_late=9), 9, 3.75),  # capped at 25 %
    ],
)
def test_penalty(entry, days, penalty):
    rescored = apply_late_policy(alice(), POLICY, entry)
    assert (rescored.days_late, rescored.late_penalty, rescored.score) == (days, penalty, 15 - penalty)
    assert rescored.pending_points == 5


def test_applying_twice_changes_nothing_and_no_policy_takes_nothing():
    entry = RosterEntry(student="x", late=True, days_late=2)
    once = apply_late_policy(alice(), POLICY, entry)
    assert apply_late_policy(once, POLICY, entry) == once
    free = apply_late_policy(alice(), None, entry)
    assert (free.days_late, free.late_penalty, free.score) == (2, 0, 15)


def test_rubric_field_is_optional_and_validated():
    base = {"id": "x", "title": "X", "notebook": "x.ipynb", "checks": [{"id": "m", "kind": "manual", "title": "M", "points": 1}]}
    assert Rubric.model_validate(base).late_policy is None
    rubric = Rubric.model_validate({**base, "late_policy": {"percent_per_day": 10, "max_percent": 50}})
    assert rubric.late_policy == LatePolicy(percent_per_day=10, max_percent=50, unknown_days=1)
    with pytest.raises(ValueError):
        Rubric.model_validate({**base, "late_policy": {"percent_per_day": 150}})
    schema = Rubric.model_json_schema()["$defs"]["LatePolicy"]["properties"]
    assert all(field["description"] for field in schema.values())
