"""One ``grader validate`` per course assignment for the whole session.

Validating an assignment runs its reference and every sample in real kernels (TensorFlow training for
some): minutes each. test_courses.py and the per-course files read the same outcomes, so each
assignment is validated once, by whichever test asks first.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import validate_by_name


@pytest.fixture(scope="session")
def validated() -> Callable[[str], dict]:
    """``validated(assignment_id)``: that assignment's validation outcomes by notebook name, computed once."""
    outcomes: dict[str, dict] = {}

    def outcomes_of(assignment_id: str) -> dict:
        if assignment_id not in outcomes:
            outcomes[assignment_id] = validate_by_name(assignment_id)
        return outcomes[assignment_id]

    return outcomes_of
