"""Exports of a batch's results; ``EXPORTERS`` maps a format name to its exporter class."""

from __future__ import annotations

from grader.exports.base import ExportContext, Exporter
from grader.exports.canvas import CanvasExporter
from grader.exports.csv import CsvExporter
from grader.exports.gradescope import GradescopeExporter
from grader.exports.moodle import MoodleExporter

EXPORTERS: dict[str, type[Exporter]] = {
    CsvExporter.format: CsvExporter,
    CanvasExporter.format: CanvasExporter,
    MoodleExporter.format: MoodleExporter,
    GradescopeExporter.format: GradescopeExporter,
}

__all__ = ["EXPORTERS", "CanvasExporter", "CsvExporter", "ExportContext", "Exporter", "GradescopeExporter", "MoodleExporter"]
