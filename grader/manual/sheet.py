"""The grading sheet a TA fills in: one row per student and manual item, read back with one-line errors.

    student,check_id,points_possible,points,comment
    doejane-1234,ex1-graph,5,4,"Forward pass right; gradient of b missing."

A row with empty ``points`` is not graded yet and is left pending. Spreadsheets that save with ``;`` or
tabs, or with a decimal comma (``2,5``), are read as well. Text cells are written through
``spreadsheet_text`` (a student id starting with ``=`` is not a formula) and read back without the ``'``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from grader.errors import InputError
from grader.exports.base import spreadsheet_text, spreadsheet_value
from grader.reports.text import points

COLUMNS = ["student", "check_id", "points_possible", "points", "comment"]
REQUIRED = {"student", "check_id", "points"}


@dataclass(frozen=True)
class SheetRow:
    """One manual item of one student as the TA scored it (points None: not scored yet)."""

    student: str
    check_id: str
    points: float | None
    comment: str
    line: int = 0


def write_sheet(rows: list[tuple[str, str, float, float | None, str]], path: Path) -> Path:
    """Write (student, check_id, points_possible, points, comment) rows as the CSV sheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for student, check_id, possible, earned, comment in rows:
        writer.writerow([spreadsheet_text(student), spreadsheet_text(check_id), points(possible), "" if earned is None else points(earned), spreadsheet_text(comment)])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return path


def _number(text: str, sheet: Path, line: int) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text.replace(",", ".") if "." not in text else text)
    except ValueError:
        raise InputError(f"{sheet}: line {line}: points {text!r} is not a number") from None


def read_sheet(sheet: Path) -> list[SheetRow]:
    """The rows of a filled-in sheet; InputError naming the file (and line) when it cannot be used."""
    try:
        with open(sheet, encoding="utf-8-sig", newline="") as handle:  # newline="": a CR inside a quoted cell is data
            text = handle.read()
    except FileNotFoundError:
        raise InputError(f"{sheet}: no such sheet") from None
    except (OSError, UnicodeDecodeError) as problem:
        raise InputError(f"{sheet}: cannot read the sheet ({problem})") from None
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    # Only the delimiter is guessed: from a header without quotes the sniffer would also guess that
    # quotes are not doubled, and then split a comment like "say ""hi"", please" in the wrong places.
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    missing = REQUIRED - set(reader.fieldnames or [])
    if missing:
        raise InputError(f"{sheet}: missing column(s) {', '.join(sorted(missing))} (expected {', '.join(COLUMNS)})")
    rows = []
    for record in reader:
        line = reader.line_num
        student, check_id = spreadsheet_value((record.get("student") or "").strip()), spreadsheet_value((record.get("check_id") or "").strip())
        if not student and not check_id:
            continue
        if not student or not check_id:
            raise InputError(f"{sheet}: line {line}: both student and check_id are needed")
        rows.append(SheetRow(student, check_id, _number(record.get("points") or "", sheet, line), spreadsheet_value((record.get("comment") or "").strip()), line))
    return rows
