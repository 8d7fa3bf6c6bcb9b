"""The registry of check kinds. Adding a kind: one module with a ``CheckBase`` subclass, one line below."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Union

from pydantic import Field

from grader.checks.base import CheckBase, CheckNotRun, Evidence, Feedback, ProbeData, Verdict
from grader.checks.compare import CompareCheck
from grader.checks.custom import TestCheck
from grader.checks.graph import GraphCheck
from grader.checks.manual import ManualCheck
from grader.checks.metric import MetricCheck
from grader.checks.reconstruction import ReconstructionCheck
from grader.checks.static import StaticCheck

CHECK_KINDS: tuple[type[CheckBase], ...] = (
    MetricCheck,
    StaticCheck,
    CompareCheck,
    TestCheck,
    ManualCheck,
    ReconstructionCheck,
    GraphCheck,
)

if TYPE_CHECKING:
    # A type checker cannot evaluate a Union of a tuple built at run time; it sees what every kind shares.
    AnyCheck = CheckBase
else:
    # Union[...] of a tuple built at run time (the X | Y spelling cannot express it): pydantic picks the
    # kind by its ``kind`` field.
    AnyCheck = Annotated[Union[CHECK_KINDS], Field(discriminator="kind")]  # noqa: UP007

__all__ = [
    "AnyCheck",
    "CHECK_KINDS",
    "CheckBase",
    "CheckNotRun",
    "CompareCheck",
    "Evidence",
    "Feedback",
    "ManualCheck",
    "MetricCheck",
    "ProbeData",
    "StaticCheck",
    "TestCheck",
    "Verdict",
]
