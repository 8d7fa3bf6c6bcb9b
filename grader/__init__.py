"""grader: grades TensorFlow notebooks in a sandbox against a rubric and explains every point.

The public surface: the API functions (one per CLI command), the result models and the errors.
"""

__version__ = "0.1.0"

from grader.api import ValidationOutcome, check, export, grade, rubric_schema, validate  # noqa: E402
from grader.errors import (  # noqa: E402
    GraderError,
    InputError,
    NotebookError,
    RubricError,
    SandboxUnavailable,
    SubmissionsError,
    UnknownAssignment,
)
from grader.results import (  # noqa: E402
    BatchSummary,
    CellRecord,
    CheckResult,
    CheckStatus,
    ExerciseCheck,
    ProbeRecord,
    RunRecord,
    RunStatus,
    SubmissionResult,
)

__all__ = [
    "BatchSummary",
    "CellRecord",
    "CheckResult",
    "CheckStatus",
    "ExerciseCheck",
    "GraderError",
    "InputError",
    "NotebookError",
    "ProbeRecord",
    "RubricError",
    "RunRecord",
    "RunStatus",
    "SandboxUnavailable",
    "SubmissionResult",
    "SubmissionsError",
    "UnknownAssignment",
    "ValidationOutcome",
    "__version__",
    "check",
    "export",
    "grade",
    "rubric_schema",
    "validate",
]
