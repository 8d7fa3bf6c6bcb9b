"""Exports of a batch's results; ``EXPORTERS`` maps a format name to its exporter class."""

from __future__ import annotations

from grader.exports.base import Exporter
from grader.exports.csv import CsvExporter

EXPORTERS: dict[str, type[Exporter]] = {
    CsvExporter.format: CsvExporter,
}

__all__ = ["EXPORTERS", "CsvExporter", "Exporter"]
