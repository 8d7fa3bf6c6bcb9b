"""The public surface is pinned: what `import grader` offers changes only on purpose."""

import grader

EXPECTED = [
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


def test_all_is_pinned_and_sorted():
    assert grader.__all__ == sorted(grader.__all__)
    assert sorted(grader.__all__) == sorted(EXPECTED)
    for name in grader.__all__:
        assert hasattr(grader, name)


def test_every_result_field_is_described():
    from grader import results

    for model in (results.CheckResult, results.SubmissionResult, results.RunRecord, results.CellRecord, results.ProbeRecord, results.BatchSummary, results.Figure, results.ExerciseCheck):
        undocumented = [name for name, field in model.model_fields.items() if not field.description]
        assert undocumented == [], model.__name__
