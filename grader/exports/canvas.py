"""Canvas gradebook import CSV: one row per student, one column per assignment.

Layout (Canvas "Import grades" in the Gradebook; the same as its export, which it recommends starting from)::

    Student,ID,SIS User ID,SIS Login ID,Section,PW06 (4321)
    Points Possible,,,,,100
    doejane,1234,,,,72

Canvas finds the student by ID (its user id, taken from the submissions.zip file names), else SIS User
ID, else SIS Login ID. The assignment column is "Name (assignment id)" (``--column``); a header without an
id makes Canvas create a new assignment. Students with no Canvas identity are written with empty ids
(Canvas lists them as unmatched). Pending manual points count as 0 until they are imported. Text cells
go through ``spreadsheet_text`` (a name starting with ``=`` is not a formula); scores stay numbers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.exports.base import Exporter, replace_atomically, spreadsheet_text
from grader.reports.text import points
from grader.results import SubmissionResult

IDENTITY_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


class CanvasExporter(Exporter):
    format = "canvas"
    suffix = ".csv"

    def write(self, results: list[SubmissionResult], path: Path) -> Path:
        assignments = sorted({r.assignment_id for r in results})
        rows: dict[str, list[str]] = {}
        maximum: dict[str, float] = {}
        scores: dict[tuple[str, str], str] = {}
        for result in sorted(results, key=lambda r: (r.assignment_id, r.student)):
            entry = self.context.identity(result)
            canvas = entry if entry and self.context.lms(result) == "canvas" else None
            key = canvas.lms_user_id if canvas and canvas.lms_user_id else result.student
            rows.setdefault(
                key,
                [
                    (entry and (entry.name or entry.login)) or result.student,
                    canvas.lms_user_id or "" if canvas else "",
                    entry.sis_user_id or "" if entry else "",
                    entry.sis_login_id or "" if entry else "",
                    entry.section or "" if entry else "",
                ],
            )
            scores[key, result.assignment_id] = points(result.score)
            maximum[result.assignment_id] = max(maximum.get(result.assignment_id, 0.0), result.max_score)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(IDENTITY_COLUMNS + [spreadsheet_text(self.context.column_for(a)) for a in assignments])
        writer.writerow(["Points Possible", "", "", "", ""] + [points(maximum[a]) for a in assignments])
        for key, identity in sorted(rows.items(), key=lambda item: item[1][0].lower()):
            writer.writerow([spreadsheet_text(cell) for cell in identity] + [scores.get((key, a), "") for a in assignments])
        return replace_atomically(path, buffer.getvalue())
