"""Plain CSV: one row per student, the total (late penalty taken off) and one column per check (points earned).

Text cells (student, assignment, error, check ids) go through ``spreadsheet_text``; numbers stay numbers.
"""

from __future__ import annotations

import csv
from pathlib import Path

from grader.exports.base import Exporter, spreadsheet_text
from grader.results import AWAITING_TA, SubmissionResult


class CsvExporter(Exporter):
    format = "csv"
    suffix = ".csv"

    def write(self, results: list[SubmissionResult], path: Path) -> Path:
        check_ids: list[str] = []
        for result in results:
            check_ids += [c.check_id for c in result.checks if c.check_id not in check_ids]
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".tmp")
        with open(temporary, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["student", "assignment", "score", "max_score", "pending_points", "late_penalty", "graded", "error", *map(spreadsheet_text, check_ids)])
            for result in sorted(results, key=lambda r: (r.assignment_id, r.student)):
                earned = {c.check_id: ("" if c.status in AWAITING_TA else f"{c.points_awarded:g}") for c in result.checks}
                writer.writerow(
                    [
                        spreadsheet_text(result.student),
                        spreadsheet_text(result.assignment_id),
                        f"{result.score:g}",
                        f"{result.max_score:g}",
                        f"{result.pending_points:g}",
                        f"{result.late_penalty:g}",
                        "yes" if result.graded else "no",
                        spreadsheet_text(result.error or ""),
                        *(earned.get(i, "") for i in check_ids),
                    ]
                )
        temporary.replace(path)
        return path
