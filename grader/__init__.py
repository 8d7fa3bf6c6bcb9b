"""grader: grades TensorFlow notebooks in a sandbox against a rubric and explains every point.

The public surface: the API functions (one per CLI command), the result models and the errors.

Names are resolved on first use (PEP 562), so ``import grader.probes`` or the in-sandbox runner does
not pull in the whole host side (API, rubric loading, reports, pydantic models of the gradebook):
``grader.check`` in a notebook and ``from grader import grade`` work as before.
"""

from __future__ import annotations

import importlib

from grader._version import __version__ as __version__  # re-exported: grader.__version__

_HOMES = {
    "ValidationOutcome": "grader.api",
    "check": "grader.api",
    "export": "grader.api",
    "grade": "grader.api",
    "rubric_schema": "grader.api",
    "validate": "grader.api",
    **dict.fromkeys(["GraderError", "InputError", "NotebookError", "RubricError", "SandboxUnavailable", "SubmissionsError", "UnknownAssignment"], "grader.errors"),
    **dict.fromkeys(["BatchSummary", "CellRecord", "CheckResult", "CheckStatus", "ExerciseCheck", "ProbeRecord", "RunRecord", "RunStatus", "SubmissionResult"], "grader.results"),
}

__all__ = sorted([*_HOMES, "__version__"])


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'grader' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
