"""Results are data: what grading produced, consumed by reports, the gradebook and exports.

Nothing here renders or exports itself; ``grader.reports`` and ``grader.exports`` take these models.
(``ExerciseCheck`` has the two hooks Jupyter looks for on a value; they hand it to ``grader.reports``.)
The same models cross process boundaries (worker pool, Dask) as JSON.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from grader.execution.job import CellStatus  # the runner writes it inside the sandbox; results only read it


class CheckStatus(str, Enum):
    """How one rubric check ended."""

    passed = "passed"
    partial = "partial"
    failed = "failed"
    error = "error"  # the check could not run (probe crashed, timed out, value missing or NaN)
    pending = "pending"  # a manual item a TA has not scored yet
    review = "review"  # an automatic check the evidence cannot decide (e.g. names computed at run time): a TA scores it


AWAITING_TA = (CheckStatus.pending, CheckStatus.review)  # points neither earned nor lost until a TA decides
AWAITING_OR_PASSED = (CheckStatus.passed, *AWAITING_TA)


class RunStatus(str, Enum):
    """How the sandboxed run of a whole notebook ended."""

    completed = "completed"  # every cell and probe was attempted (some may have failed)
    timeout = "timeout"  # the sandbox was killed at its wall-clock limit
    oom = "oom"  # killed for using more memory than allowed
    crashed = "crashed"  # the runner died without finishing (kernel start failure, os._exit, signal)
    not_run = "not_run"  # nothing was executed (e.g. the notebook could not be read)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Figure(Model):
    """A picture made by grader code on the host (never by the student's kernel), shown in reports."""

    title: str = Field(description="Short title shown above the picture.")
    caption: str = Field("", description="What the picture shows, in a sentence.")
    png_base64: str | None = Field(None, description="The picture as a base64-encoded PNG, embedded in HTML reports.")
    svg: str | None = Field(None, description="The picture as SVG text (used when png_base64 is empty); embedded as an image, so it cannot run scripts.")


class CheckResult(Model):
    """The verdict of one rubric check for one submission."""

    check_id: str = Field(description="Id of the check in the rubric.")
    title: str = Field(description="Human title of the check, as in the rubric.")
    kind: str = Field(description="Check kind (metric, static, compare, test, manual).")
    visibility: str = Field(description="public or hidden, as in the rubric.")
    points_possible: float = Field(description="Points the check is worth.")
    points_awarded: float = Field(description="Points earned (0 unless the check ran and passed, or partially).")
    bonus: bool = Field(False, description="Optional work: its points add to the score but not to the maximum, so missing them loses nothing.")
    status: CheckStatus = Field(description="How the check ended.")
    reason: str = Field(description="One or two sentences, for the student, saying why these points were (not) earned.")
    hint: str | None = Field(None, description="A hint for the student (shown for public checks that did not pass).")
    measured: dict[str, Any] = Field(default_factory=dict, description="Plain numbers the judge measured (e.g. error_rate), for reports and dashboards.")
    figures: list[Figure] = Field(default_factory=list, description="Pictures that explain the verdict (e.g. reconstructions beside the reference's).")


class CellRecord(Model):
    """What happened to one code cell in the sandbox (as reported by the sandbox: untrusted, informative only)."""

    index: int = Field(description="Index of the cell in the notebook (0-based, all cells counted).")
    tags: list[str] = Field(default_factory=list, description="Cell tags from the notebook metadata.")
    status: CellStatus = Field(description="How the cell ended.")
    duration_s: float = Field(0.0, description="Wall time the cell ran, seconds.")
    cpu_s: float = Field(0.0, description="CPU seconds the kernel's process tree used while the cell ran (what the cell budget counts).")
    error: str | None = Field(None, description="Exception name and message, trimmed, when the cell raised or timed out (it names the budget hit: CPU or wall-clock).")


class CellExcerpt(Model):
    """The student's first cell that did not run cleanly, as the report shows it (source cut to its first lines)."""

    index: int = Field(description="Index of the cell in the notebook (0-based, all cells counted).")
    tags: list[str] = Field(default_factory=list, description="Cell tags from the notebook metadata.")
    source: str = Field(description="The cell's source, cut to its first lines.")
    hidden_lines: int = Field(0, description="Lines of the source left out of the excerpt.")
    error: str | None = Field(None, description="What went wrong, as recorded for the cell.")


class ProbeRecord(Model):
    """Whether one rubric probe produced data."""

    name: str = Field(description="Probe name from the rubric.")
    ok: bool = Field(description="True when the probe returned data the grader accepted.")
    error: str | None = Field(None, description="Why no data came back (exception in the probe, timeout, rejected artifact).")
    duration_s: float = Field(0.0, description="Wall time the probe ran, seconds.")


class RunRecord(Model):
    """The sandboxed run of one notebook."""

    status: RunStatus = Field(description="How the run ended as a whole.")
    reason: str | None = Field(None, description="One line explaining a run that did not complete.")
    sandbox: str = Field(description="Backend that ran it (local, docker, fake) and its isolation details.")
    cells: list[CellRecord] = Field(default_factory=list, description="Per code cell outcome.")
    probes: list[ProbeRecord] = Field(default_factory=list, description="Per probe outcome.")
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds spent per phase: kernel_start, cells, probes, total; cells_cpu is the CPU seconds the cells used.")
    rerun_alone: bool = Field(False, description="True when the notebook timed out while graded beside others and this is its re-run, alone, at the end of the batch.")


class SubmissionResult(Model):
    """Everything the grader decided about one student's notebook."""

    student: str = Field(description="Student id (from the file or folder name, or the LMS naming).")
    assignment_id: str = Field(description="Rubric id the submission was graded against.")
    notebook_path: str = Field(description="Path of the graded notebook as given.")
    notebook_sha256: str | None = Field(None, description="SHA256 of the notebook file, to skip unchanged work on re-runs.")
    rubric_sha256: str = Field(description="Hash of the rubric and its staff code, to regrade when they change.")
    grader_version: str = Field(description="Version of the grader that produced the result.")
    graded: bool = Field(description="False when the submission could not be graded at all (e.g. invalid notebook).")
    error: str | None = Field(None, description="One line saying why grading could not happen, when graded is false.")
    score: float = Field(description="Points earned, sum over checks.")
    max_score: float = Field(description="Points possible, sum over checks.")
    pending_points: float = Field(0.0, description="Points of manual items not scored yet, and of checks that need a TA's review.")
    checks: list[CheckResult] = Field(default_factory=list, description="Verdict per check, in rubric order.")
    run: RunRecord | None = Field(None, description="The sandboxed run, when one happened.")
    public_only: bool = Field(False, description="True for a student self-check: hidden checks were not run.")
    duration_s: float = Field(0.0, description="Wall time to grade this submission, seconds.")
    graded_at: str = Field(description="UTC time the result was produced, ISO 8601.")
    failing_cell: CellExcerpt | None = Field(None, description="The first cell that did not run cleanly, for the report.")
    days_late: float = Field(0.0, description="Days the LMS says the submission was late (0 when on time or unknown).")
    late_penalty: float = Field(0.0, description="Points taken off the score by the rubric's late policy (already subtracted from score).")


class BatchSummary(Model):
    """What a ``grade`` run did, for the CLI and dashboards."""

    assignment_id: str = Field(description="Rubric id.")
    out_dir: str = Field(description="Folder with per-student results, reports, grades.csv and the gradebook.")
    sandbox: str = Field("", description="The sandbox backend that ran the notebooks and its isolation (auto says here which it picked).")
    graded: list[str] = Field(default_factory=list, description="Students graded in this run.")
    skipped: list[str] = Field(default_factory=list, description="Students whose unchanged result was kept.")
    results: list[SubmissionResult] = Field(default_factory=list, description="Result of every student in the batch (new and kept).")
    settled: bool = Field(False, description="Every student's result is current: the same command run again would keep them all.")
    inputs: dict[str, str | None] = Field(
        default_factory=dict, description="When settled: each file that decided the batch (rubric, probes, judges, reference, submissions) with its SHA-256; None for a path that must stay absent."
    )
    input_folders: dict[str, list[str]] = Field(default_factory=dict, description="When settled: each submissions folder with the files it held, so a new student is noticed.")
    outputs: list[str] = Field(default_factory=list, description="When settled: the gradebook, grades.csv, dashboard and roster this batch left, which an unchanged re-run leaves as they are.")


class ExerciseCheck(Model):
    """A student's in-notebook self-check of one exercise (``grader.check("ex3")``), run on the live kernel.

    Advice, never a grade: it ran in the student's own process. Shown under the cell by
    ``grader.reports.selfcheck``, which ``grader.execution.live.show_under_cells`` registers with the kernel.
    """

    assignment_id: str = Field(description="Rubric id the exercise belongs to.")
    exercise: str = Field(description="Exercise tag that was checked, e.g. ex3.")
    notebook_path: str | None = Field(None, description="The saved notebook the code checks read (None when it could not be found).")
    checks: list[CheckResult] = Field(default_factory=list, description="Verdict per public check of the exercise, in rubric order.")
    notes: list[str] = Field(default_factory=list, description="Things the student should know about this self-check (e.g. which source static checks read).")
    duration_s: float = Field(0.0, description="Wall time of the self-check, seconds.")

    @property
    def passed(self) -> bool:
        return all(check.status in AWAITING_OR_PASSED for check in self.checks)
