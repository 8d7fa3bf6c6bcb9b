"""Canvas gradebook import CSV.

Documented format: Canvas Instructor Guide, "How do I import grades in the Gradebook?"
(https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807), which
starts from the Gradebook export: columns Student, ID, SIS User ID, SIS Login ID, Section, then one column per
assignment headed "Assignment Name (assignment id)"; a "Points Possible" row under the header is accepted.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from grader.exports import EXPORTERS, ExportContext
from grader.lms import unpack_submissions
from tests.reports.golden import assert_golden
from tests.reports.samples import sample_results, sample_roster

GOLDEN = Path(__file__).parent / "golden"


def canvas(tmp_path, results, roster, column="PW06 (4321)") -> str:
    path = EXPORTERS["canvas"](ExportContext(rosters={"pw06-mlp": roster}, column=column)).write(results, tmp_path / "canvas.csv")
    return path.read_bytes().decode("utf-8")


def test_canvas_export_matches_golden(tmp_path):
    """Golden: https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807"""
    assert_golden(canvas(tmp_path, sample_results(), sample_roster("canvas")), GOLDEN / "canvas.csv")


def test_canvas_layout_is_the_documented_one(tmp_path):
    """Header and Points Possible row as in the Canvas Gradebook export/import (ta-p/807 above)."""
    rows = list(csv.reader(io.StringIO(canvas(tmp_path, sample_results(), sample_roster("canvas")))))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "PW06 (4321)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "20"]
    by_id = {row[1]: row for row in rows[2:]}
    assert by_id["2345"][0] == "smithbob" and by_id["2345"][5] == "4.5"  # late penalty already taken off
    assert by_id["4567"][5] == "0"
    assert len(rows) == 2 + 4


def test_canvas_ids_come_from_the_submissions_zip(tmp_path):
    """Round trip: the user id in Canvas file names (<login>_<userid>_<submissionid>_<file>) is the ID Canvas imports by."""
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("doejane_1234_98765_pw06-mlp.ipynb", "{}")
        bundle.writestr("smithbob_late_2345_98766_pw06-mlp-1.ipynb", "{}")
    _, roster = unpack_submissions(archive, tmp_path / "intake", "pw06-mlp.ipynb")
    results = [r for r in sample_results() if r.student in roster.students]
    rows = list(csv.reader(io.StringIO(canvas(tmp_path, results, roster))))
    assert [(row[0], row[1]) for row in rows[2:]] == [("doejane", "1234"), ("smithbob", "2345")]


def test_students_without_a_canvas_identity_keep_their_grader_id(tmp_path):
    rows = list(csv.reader(io.StringIO(canvas(tmp_path, sample_results(), sample_roster("moodle"), column=None))))
    assert rows[0][-1] == "pw06-mlp"  # no column given: Canvas creates an assignment with this name
    assert all(row[1] == "" for row in rows[2:])  # Moodle ids are not Canvas ids
    assert {row[0] for row in rows[2:]} == {"Jane Doe", "Bob Smith", "Carol Lee", "Dave Nguyễn"}
