"""Who the students are in the LMS: identity and lateness, as data saved beside the results.

Intake writes ``<results>/<assignment>/roster.json`` when it unpacks an LMS download; exports read it
to put each grade on the right LMS row, and scoring reads it for the late policy. A TA may edit the
file (add emails, correct ``days_late``); a student missing from it is exported under the grader's id.

Usage::

    roster = Roster(lms="canvas", source="submissions.zip", students={"doejane": RosterEntry(student="doejane", lms_user_id="1234", late=True)})
    save_roster(roster, folder)          # folder/roster.json
    load_roster(folder).get("doejane")   # RosterEntry, or None when unknown
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader.errors import InputError
from grader.files import replace_atomically

ROSTER_FILE = "roster.json"


class RosterEntry(BaseModel):
    """One student as the LMS knows them."""

    model_config = ConfigDict(extra="forbid")

    student: str = Field(description="The grader's id for the student (the results, reports and file names use it).")
    name: str | None = Field(None, description="Display name from the LMS (Moodle folder name).")
    lms_user_id: str | None = Field(None, description="The LMS's numeric id of the student (Canvas user id, Moodle participant id).")
    login: str | None = Field(None, description="Login or sortable name the LMS put in the file name (Canvas).")
    sis_user_id: str | None = Field(None, description="Student information system id, when known (Canvas 'SIS User ID').")
    sis_login_id: str | None = Field(None, description="Institution login, when known (Canvas 'SIS Login ID'; the name in Canvas file names is not it).")
    id_number: str | None = Field(None, description="Institution id number, when known (Moodle 'ID number').")
    email: str | None = Field(None, description="Email address, when known (Moodle imports can map on it).")
    section: str | None = Field(None, description="Course section, when known (Canvas).")
    submission_id: str | None = Field(None, description="The LMS's id of this submission (Canvas).")
    late: bool = Field(False, description="True when the LMS marked the submission late.")
    days_late: float | None = Field(None, ge=0, description="How late, in days, when known; the late policy assumes its unknown_days otherwise.")
    files: list[str] = Field(default_factory=list, description="Files the student handed in, as named in the LMS download.")
    notebook: str | None = Field(None, description="The file graded as the student's notebook; None when they handed in none.")
    refused: str | None = Field(None, description="Why intake did not unpack the student's notebook (e.g. over the size cap per file); grading records it as their result.")


class Roster(BaseModel):
    """The students of one LMS download."""

    model_config = ConfigDict(extra="forbid")

    lms: Literal["canvas", "moodle", "folder"] = Field(description="Where the submissions came from.")
    source: str = Field(description="The download (archive or folder) the roster was read from.")
    students: dict[str, RosterEntry] = Field(default_factory=dict, description="Entries by the grader's student id.")

    def get(self, student: str) -> RosterEntry | None:
        return self.students.get(student)


def save_roster(roster: Roster, folder: Path) -> Path:
    return replace_atomically(folder / ROSTER_FILE, roster.model_dump_json(indent=2))


def load_roster(folder: Path) -> Roster | None:
    """The roster saved in folder, None when there is none; InputError naming the file when it is damaged."""
    path = folder / ROSTER_FILE
    if not path.exists():
        return None
    try:
        return Roster.model_validate_json(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a valid roster (not UTF-8 text)") from None
    except ValidationError as problem:
        first = problem.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InputError(f"{path}: not a valid roster ({where}: {first['msg']})") from None
