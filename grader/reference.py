"""The reference solution's probe data: what ``compare`` checks hold students to (pipeline stage 6's input).

It is computed by grading the reference notebook in the sandbox, once per content: the cache file is
named by the rubric's fingerprint, the grader's version and the reference notebook's bytes, and lives in
the user's cache folder (never a results folder, never seen by a sandbox), so every batch and every
results folder of the same rubric shares one run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from grader._version import __version__
from grader.errors import RubricError
from grader.execution.artifacts import ProbeData, dump_probe_data, load_probe_data
from grader.files import replace_atomically
from grader.pipeline import Submission, grade_submission
from grader.rubric import Assignment
from grader.sandbox import Sandbox


def needs_reference(assignment: Assignment) -> bool:
    return any(check.uses_reference() for check in assignment.rubric.checks)


def reference_cache_file(assignment: Assignment, cache_dir: Path) -> Path:
    """Where the reference's probe data is kept: named by the rubric's fingerprint (rubric, probes, judges),
    the grader's version and the reference notebook's bytes, so any change to one of them is a new file.

    Without the reference notebook (a Gradescope container carries only the data), the one file made for
    this rubric when the bundle was built.
    """
    stem = f"reference-{assignment.id}-{assignment.fingerprint[:16]}"
    notebook = assignment.reference_notebook
    if not notebook.exists():
        made = sorted(cache_dir.glob(f"{stem}-*.json"))
        return made[0] if made else cache_dir / f"{stem}-missing.json"
    content = hashlib.sha256(__version__.encode() + b"\0" + notebook.read_bytes()).hexdigest()[:12]
    return cache_dir / f"{stem}-{content}.json"


def reference_data(assignment: Assignment, sandbox: Sandbox, cache_dir: Path | None) -> dict[str, ProbeData] | None:
    """The reference solution's probe data on the grader's inputs, computed once per content (see reference_cache_file)."""
    if not needs_reference(assignment):
        return None
    cache = reference_cache_file(assignment, cache_dir) if cache_dir else None
    if cache and cache.exists():
        return load_probe_data(cache.read_text())
    result, data = grade_submission(Submission("reference", assignment.reference_notebook), assignment, sandbox, is_reference=True)
    broken = sorted(name for name, item in data.items() if not item.ok)
    if not result.graded or broken:
        raise RubricError(f"{assignment.reference_notebook}: the reference solution did not produce probe data ({result.error or ', '.join(broken)}); run `grader validate {assignment.id}`")
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(cache, dump_probe_data(data))  # two batches may fill the same cache at once
    return data
