"""Moodle grade CSV with feedback.

Documented formats: MoodleDocs "Grade import" (https://docs.moodle.org/en/Grade_import): CSV columns are mapped
on upload, users by "Email address" -> useremail or "ID number" -> useridnumber, and a column can be mapped to
an item's feedback. The assignment's "Upload grading worksheet" (mod/assign/feedback/offline/importgradeslib.php,
https://github.com/moodle/moodle/blob/main/mod/assign/feedback/offline/importgradeslib.php) finds the columns
"Identifier" ("Participant <id>"), "Grade", "Last modified (grade)" and "Feedback comments" by their names.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path

from grader.exports import EXPORTERS, ExportContext
from grader.lms import unpack_submissions
from tests.reports.golden import assert_golden
from tests.reports.samples import sample_results, sample_roster

GOLDEN = Path(__file__).parent / "golden"


def moodle(tmp_path, results, roster) -> list[dict[str, str]]:
    path = EXPORTERS["moodle"](ExportContext(rosters={"pw06-mlp": roster})).write(results, tmp_path / "moodle.csv")
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"))))


def test_moodle_export_matches_golden(tmp_path):
    """Golden: https://docs.moodle.org/en/Grade_import and the grading worksheet columns (module docstring)."""
    EXPORTERS["moodle"](ExportContext(rosters={"pw06-mlp": sample_roster("moodle")})).write(sample_results(), tmp_path / "moodle.csv")
    assert_golden((tmp_path / "moodle.csv").read_bytes().decode("utf-8"), GOLDEN / "moodle.csv")


def test_moodle_rows_carry_the_mapping_columns_and_feedback(tmp_path):
    rows = {row["Email address"]: row for row in moodle(tmp_path, sample_results(), sample_roster("moodle"))}
    bob = rows["smithbob@uni.example"]
    assert bob["Identifier"] == "Participant 2345" and bob["Full name"] == "Bob Smith"
    assert (bob["Grade"], bob["Maximum Grade"]) == ("4.5", "20")
    assert datetime.fromisoformat(bob["Last modified (grade)"]).year == 2026  # strtotime reads ISO 8601
    feedback = bob["Feedback comments"]
    assert feedback.startswith("Score: 4.5 / 20.")
    assert "Submitted 2 days late: 0.5 points taken off" in feedback
    assert "- Ex 3: test accuracy above 95 % (0/10): Not evaluated" in feedback
    assert "Ex 1: forward pass" not in feedback  # only checks that lost points are listed


def test_participant_ids_come_from_the_download_folders(tmp_path):
    """Round trip: "Full Name_<id>_assignsubmission_file_" folders give the worksheet's "Participant <id>"."""
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("Jane Doe_1234_assignsubmission_file_/pw06-mlp.ipynb", "{}")
        bundle.writestr("Bob Smith_2345_assignsubmission_file_/pw06-mlp.ipynb", "{}")
    _, roster = unpack_submissions(archive, tmp_path / "intake", "pw06-mlp.ipynb")
    assert sorted(roster.students) == ["bob-smith-2345", "jane-doe-1234"]
    results = [r.model_copy(update={"student": student}) for r, student in zip(sample_results(), ["jane-doe-1234", "bob-smith-2345"])]
    rows = moodle(tmp_path, results, roster)
    assert [(row["Identifier"], row["Full name"]) for row in rows] == [("Participant 2345", "Bob Smith"), ("Participant 1234", "Jane Doe")]
