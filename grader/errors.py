"""The grader's exceptions: grader bugs and bad input only; a failing submission is a result.

GraderError                  base: the CLI prints it as one line and exits non-zero
├── InputError               something the user handed us is wrong (file, folder, notebook)
│   ├── NotebookError        a file is not a readable nbformat-4 notebook
│   └── SubmissionsError     the submissions folder is missing, empty or unreadable
├── RubricError              a rubric file is invalid (names the file and the field path)
│   └── UnknownAssignment    no rubric with that id
└── SandboxUnavailable       the chosen sandbox backend cannot run here (e.g. no Docker engine)
"""

from __future__ import annotations

__all__ = [
    "GraderError",
    "InputError",
    "NotebookError",
    "RubricError",
    "SandboxUnavailable",
    "SubmissionsError",
    "UnknownAssignment",
]


class GraderError(Exception):
    """Base of every error the grader raises on purpose; its message is one line for the user."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback: a student's `grader.check("ex9")` gets one line.
        return [f"grader: error: {self}"]


class InputError(GraderError):
    """Something the user handed the grader is wrong."""


class NotebookError(InputError):
    """A file is not a notebook the grader can read (not JSON, not nbformat 4, damaged)."""


class SubmissionsError(InputError):
    """The submissions folder is missing, empty or holds nothing gradable."""


class RubricError(GraderError):
    """A rubric file is invalid."""


class UnknownAssignment(RubricError):
    """No rubric has this assignment id."""


class SandboxUnavailable(GraderError):
    """The requested sandbox backend cannot run on this machine."""
