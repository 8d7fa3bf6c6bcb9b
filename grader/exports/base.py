"""Exporters turn a batch of results into a file an LMS (or a spreadsheet) imports.

One small class per format with one method, ``write(results, path)``; the registry in
``grader.exports`` maps format names to them. What an exporter may know besides the results (who each
student is in the LMS, which gradebook column to fill) comes in an ``ExportContext`` at construction.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grader.files import replace_atomically  # noqa: F401 - exporters import it from here
from grader.lms.roster import Roster, RosterEntry
from grader.results import SubmissionResult


@dataclass(frozen=True)
class ExportContext:
    """The LMS side of an export. Usage: ``ExportContext(rosters={"pw06-mlp": roster}, column="PW06 (4321)")``."""

    rosters: Mapping[str, Roster] = field(default_factory=dict)  # by assignment id, from intake
    column: str | None = None  # the LMS gradebook column, when one assignment is exported

    def identity(self, result: SubmissionResult) -> RosterEntry | None:
        roster = self.rosters.get(result.assignment_id)
        return roster.get(result.student) if roster else None

    def lms(self, result: SubmissionResult) -> str | None:
        roster = self.rosters.get(result.assignment_id)
        return roster.lms if roster else None

    def column_for(self, assignment_id: str) -> str:
        return self.column or assignment_id


class Exporter(abc.ABC):
    """Writes results in one format."""

    format: str = "abstract"
    suffix: str = ".txt"

    def __init__(self, context: ExportContext | None = None) -> None:
        self.context = context or ExportContext()

    @abc.abstractmethod
    def write(self, results: list[SubmissionResult], path: Path) -> Path:
        """Write the file and return its path."""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """A text cell a spreadsheet shows as text: one starting like a formula gets a leading ``'`` (OWASP, CSV injection).

    Only text goes through here (names, ids, reasons, headers). Cells the grader writes from numbers
    (scores, points) are formatted numbers and stay numbers: a late penalty can make a score -1.5, and
    a sheet must still add it up. Text that merely looks numeric (a student named "-1") is text, so it is
    prefixed like any other.
    """
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def spreadsheet_value(cell: str) -> str:
    """What ``spreadsheet_text`` wrote, read back from a sheet (a TA's spreadsheet may keep the ``'``)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell
