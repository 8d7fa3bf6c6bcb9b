"""The batch gradebook: one SQLite file, one row per student, written the moment a result exists.

Each result is committed in its own transaction, so a run killed half-way keeps everything already
graded, and a re-run finds it: ``is_current`` says whether a stored result still matches the
notebook, the rubric and the grader version (then the student is skipped unless ``--force``).
Results are stored as their JSON (the same models everywhere), plus the columns a query needs.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from grader.results import SubmissionResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    assignment_id   TEXT NOT NULL,
    student         TEXT NOT NULL,
    notebook_sha256 TEXT,
    rubric_sha256   TEXT NOT NULL,
    grader_version  TEXT NOT NULL,
    score           REAL NOT NULL,
    max_score       REAL NOT NULL,
    graded          INTEGER NOT NULL,
    graded_at       TEXT NOT NULL,
    result_json     TEXT NOT NULL,
    PRIMARY KEY (assignment_id, student)
);
"""


class Gradebook:
    """SQLite-backed store of SubmissionResults for one results folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Workers in threads share one connection; the lock keeps each write a whole transaction.
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def save(self, result: SubmissionResult) -> None:
        row = (
            result.assignment_id,
            result.student,
            result.notebook_sha256,
            result.rubric_sha256,
            result.grader_version,
            result.score,
            result.max_score,
            int(result.graded),
            result.graded_at,
            result.model_dump_json(),
        )
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                self._connection.execute("INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?)", row)
            except BaseException:
                # A row that cannot be stored must not leave the transaction open for the next student's.
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def get(self, assignment_id: str, student: str) -> SubmissionResult | None:
        with self._lock:
            found = self._connection.execute("SELECT result_json FROM results WHERE assignment_id=? AND student=?", (assignment_id, student)).fetchone()
        return SubmissionResult.model_validate_json(found[0]) if found else None

    def all(self, assignment_id: str | None = None) -> list[SubmissionResult]:
        query = "SELECT result_json FROM results"
        parameters: tuple[str, ...] = ()
        if assignment_id:
            query, parameters = query + " WHERE assignment_id=?", (assignment_id,)
        with self._lock:
            rows = self._connection.execute(query + " ORDER BY assignment_id, student", parameters).fetchall()
        return [SubmissionResult.model_validate_json(row[0]) for row in rows]

    def is_current(self, assignment_id: str, student: str, notebook_sha256: str, rubric_sha256: str, grader_version: str) -> SubmissionResult | None:
        """The stored result when it was produced from exactly these inputs, else None."""
        stored = self.get(assignment_id, student)
        if stored and (stored.notebook_sha256, stored.rubric_sha256, stored.grader_version) == (notebook_sha256, rubric_sha256, grader_version):
            return stored
        return None
