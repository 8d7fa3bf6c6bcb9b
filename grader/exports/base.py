"""Exporters turn a batch of results into a file an LMS (or a spreadsheet) imports.

One small class per format with one method, ``write(results, path)``; the registry in
``grader.exports`` maps format names to them.
"""

from __future__ import annotations

import abc
from pathlib import Path

from grader.results import SubmissionResult


class Exporter(abc.ABC):
    """Writes results in one format."""

    format: str = "abstract"
    suffix: str = ".txt"

    @abc.abstractmethod
    def write(self, results: list[SubmissionResult], path: Path) -> Path:
        """Write the file and return its path."""
