"""Moodle grade CSV with a feedback column: one file that both Moodle grade uploads accept.

    Identifier,Full name,Email address,ID number,Grade,Maximum Grade,Last modified (grade),Feedback comments
    Participant 1234,Jane Doe,jane@uni.example,,72,100,2026-11-23T03:35:56+00:00,"Score: 72 / 100. ..."

- Assignment > "Upload grading worksheet" matches rows by Identifier ("Participant <id>", the id in the
  download's ``Full Name_<id>_assignsubmission_file_`` folders) and reads Grade, Last modified (grade)
  and Feedback comments by their header names.
- Gradebook > Import > CSV file lets the TA map columns: "Email address" to useremail or "ID number" to
  useridnumber, Grade to the grade item, Feedback comments to its feedback. Moodle aborts that import
  at a row whose identity it cannot find, so fill emails in roster.json before using it.

Text cells go through ``spreadsheet_text`` (a name starting with ``=`` is not a formula); Grade and
Maximum Grade stay numbers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.exports.base import Exporter, replace_atomically, spreadsheet_text
from grader.reports.text import feedback_summary, points
from grader.results import SubmissionResult

COLUMNS = ["Identifier", "Full name", "Email address", "ID number", "Grade", "Maximum Grade", "Last modified (grade)", "Feedback comments"]


class MoodleExporter(Exporter):
    format = "moodle"
    suffix = ".csv"

    def write(self, results: list[SubmissionResult], path: Path) -> Path:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        several = len({r.assignment_id for r in results}) > 1
        writer.writerow((["Assignment"] if several else []) + COLUMNS)
        for result in sorted(results, key=lambda r: (r.assignment_id, r.student)):
            entry = self.context.identity(result)
            moodle = entry if entry and self.context.lms(result) == "moodle" else None
            text = ([self.context.column_for(result.assignment_id)] if several else []) + [
                f"Participant {moodle.lms_user_id}" if moodle and moodle.lms_user_id else "",
                entry.name if entry and entry.name else result.student,
                entry.email or "" if entry else "",
                entry.id_number or "" if entry else "",
            ]
            writer.writerow(
                [spreadsheet_text(cell) for cell in text]
                + [
                    points(result.score),
                    points(result.max_score),
                    spreadsheet_text(result.graded_at),
                    spreadsheet_text(feedback_summary(result)),
                ]
            )
        return replace_atomically(path, buffer.getvalue())
