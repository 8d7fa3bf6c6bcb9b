"""The plain CSV export: one row per student, total and points per check (pending items blank)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.exports import EXPORTERS
from tests.reports.golden import assert_golden
from tests.reports.samples import sample_results

GOLDEN = Path(__file__).parent / "golden"


def test_csv_export_matches_golden(tmp_path):
    path = EXPORTERS["csv"]().write(sample_results(), tmp_path / "grades.csv")
    assert_golden(path.read_bytes().decode("utf-8"), GOLDEN / "grades.csv")


def test_csv_rows(tmp_path):
    path = EXPORTERS["csv"]().write(sample_results(), tmp_path / "grades.csv")
    rows = {row["student"]: row for row in csv.DictReader(io.StringIO(path.read_text()))}
    assert rows["smithbob-2345"]["score"] == "4.5" and rows["smithbob-2345"]["ex5-review"] == ""
    assert rows["nguyendave-4567"]["graded"] == "no" and rows["smithbob-2345"]["late_penalty"] == "0.5"
