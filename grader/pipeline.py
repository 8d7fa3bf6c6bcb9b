"""One submission's way through the grader, stage by stage, in order.

    1. load_submission     read and sanitize the notebook (bad notebook -> an ungraded result, not a crash)
    2. select_checks       all checks, or the public ones for a student's self-check
    3. choose_inputs       grader-chosen probe inputs; the held part (evaluation data) never leaves this process
    4. write_job           the job folder the sandbox sees: notebook, probes, inputs, data without the held half
    5. run_sandboxed       student cells, then probes, under limits; failures come back as an outcome
    6. collect_evidence    parse what came out (capped, validated, no pickles) + the reference's data
    7. judge_checks        every verdict computed here, outside the sandbox; then the rubric's `needs` settled
    8. score               sum the points into a SubmissionResult
    9. finish              what reports need beyond verdicts: the failing cell, the late policy applied

``grade_submission`` runs them; each stage is a small function a test can call on its own.
``check_live`` is the student's in-notebook self-check: stages 2, 3, 6 and 7 with the student's running
kernel in place of 4 and 5 (the same probe runtime, the same readers, the same judges).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import tempfile
import time
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

from grader._version import __version__
from grader.checks.base import CheckBase, Evidence, ProbeData, settle_dependencies
from grader.datasets import mnist
from grader.errors import NotebookError
from grader.execution import artifacts, live
from grader.execution.job import JobSpec, ProbeCall
from grader.execution.jobdirs import job_folder
from grader.execution.loading import code_cells, file_digest, load_notebook, printable
from grader.lms.late import apply_late_policy
from grader.lms.roster import RosterEntry
from grader.reports.cells import failing_cell
from grader.results import AWAITING_TA, CellRecord, CellStatus, CheckResult, CheckStatus, ExerciseCheck, ProbeRecord, RunRecord, RunStatus, SubmissionResult
from grader.rubric.authoring import GraderData  # the input makers' `data`: part of the judges' API
from grader.rubric.loading import Assignment
from grader.sandbox.base import Sandbox, SandboxOutcome


@dataclass
class Submission:
    """One student's notebook to grade."""

    student: str
    path: Path


@dataclass
class Inputs:
    sent: dict[str, dict[str, np.ndarray]]
    held: dict[str, dict[str, np.ndarray]]


# -- 1 ---------------------------------------------------------------------------------------------
def load_submission(submission: Submission):
    return load_notebook(submission.path)


# -- 2 ---------------------------------------------------------------------------------------------
def select_checks(assignment: Assignment, public_only: bool, exercise: str | None = None) -> list[CheckBase]:
    return [check for check in assignment.rubric.checks if (not public_only or check.visibility == "public") and (exercise is None or check.exercise == exercise)]


# -- 3 ---------------------------------------------------------------------------------------------
GRADER_DATA = GraderData()  # one per process: each dataset is read once, then cached


@functools.lru_cache(maxsize=16)
def _inputs_for(fingerprint: str, assignment: Assignment) -> Inputs:
    sent: dict[str, dict[str, np.ndarray]] = {}
    held: dict[str, dict[str, np.ndarray]] = {}
    for name, spec in assignment.rubric.probes.items():
        if not spec.inputs:
            continue
        maker = getattr(assignment.staff, spec.inputs, None)
        if maker is None:
            raise RuntimeError(f"{assignment.rubric_path}: judges.py has no input maker {spec.inputs!r}")
        # Same seed for the reference and every student: compare checks need identical inputs.
        rng = np.random.default_rng([assignment.rubric.seed, zlib.crc32(name.encode())])
        to_send, to_hold = maker(rng, GRADER_DATA)
        sent[name] = {key: np.asarray(value) for key, value in to_send.items()}
        held[name] = {key: np.asarray(value) for key, value in (to_hold or {}).items()}
    return Inputs(sent, held)


def choose_inputs(assignment: Assignment) -> Inputs:
    return _inputs_for(assignment.fingerprint, assignment)


# -- 4 ---------------------------------------------------------------------------------------------
def _provide_data(job_dir: Path, datasets: Collection[str]) -> None:
    if "mnist" not in datasets:
        return
    target = job_dir / "data" / "mnist"
    target.mkdir(parents=True)
    for part in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        source = mnist.package_dir() / part
        try:
            os.link(source, target / part)
        except OSError:
            shutil.copyfile(source, target / part)
    # The test set's public half only, with its labels; the held half (the grader's evaluation images) stays here.
    mnist.write_public_test_set(target)


def write_job(job_dir: Path, notebook, assignment: Assignment, probes: dict, inputs: Inputs) -> JobSpec:
    rubric = assignment.rubric
    spec = JobSpec(
        cell_timeout=rubric.timeouts.cell,
        notebook_timeout=rubric.timeouts.notebook,
        wall_factor=rubric.timeouts.wall_factor,
        kernel_start_timeout=rubric.timeouts.kernel_start,
        output_chars=rubric.resources.output_chars,
        max_artifact_bytes=rubric.resources.artifact_bytes,
        probes=[ProbeCall(name=name, function=spec.function or name, timeout=spec.timeout or rubric.timeouts.probe, forbid_imports=spec.forbid_imports) for name, spec in probes.items()],
    )
    write_inputs(job_dir / "inputs", probes, inputs)
    (job_dir / "job.json").write_text(spec.model_dump_json())
    nbformat.write(notebook, job_dir / "notebook.ipynb")
    (job_dir / "probes.py").write_text(assignment.probes_source)
    _provide_data(job_dir, rubric.data)
    return spec


def write_inputs(folder: Path, probes: dict, inputs: Inputs) -> None:
    """The grader-chosen inputs of these probes, one .npz each, where the probe runtime reads them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in probes:
        if inputs.sent.get(name):
            # numpy's stub has savez(file, *args, allow_pickle=..., **kwds): mypy matches a **dict against allow_pickle
            np.savez(folder / f"{name}.npz", **inputs.sent[name])  # type: ignore[arg-type]


def wall_limit(spec: JobSpec, grace: float) -> float:
    # The runner's own wall-clock caps, plus grace: the sandbox is killed only when the runner failed to stop.
    return (spec.kernel_start_timeout * 2 + spec.notebook_timeout + sum(p.timeout for p in spec.probes)) * spec.wall_factor + grace


# -- 5 ---------------------------------------------------------------------------------------------
def run_sandboxed(sandbox: Sandbox, job_dir: Path, assignment: Assignment, spec: JobSpec) -> SandboxOutcome:
    return sandbox.run(job_dir, assignment.rubric.resources, wall_limit(spec, assignment.rubric.timeouts.grace))


# -- 6 ---------------------------------------------------------------------------------------------
def run_record(outcome: SandboxOutcome, job_dir: Path, notebook, assignment: Assignment, spec: JobSpec) -> RunRecord:
    reported = artifacts.read_run(job_dir / "out")
    limits = assignment.rubric.resources
    status, reason = RunStatus.completed, None
    if outcome.status == "timeout":
        status, reason = RunStatus.timeout, f"the run was stopped after {outcome.wall_s:.0f} s, its wall-clock limit"
    elif outcome.status == "oom":
        status, reason = RunStatus.oom, f"the run was stopped for using more than {limits.memory_mb} MB of memory"
    elif outcome.status == "crashed" or reported is None or not reported.finished:
        status, reason = RunStatus.crashed, f"the run ended abruptly (exit code {outcome.exit_code}) before the grader finished"
    cells = []
    for cell in reported.cells if reported else []:
        if 0 <= cell.index < len(notebook.cells):
            tags = list(notebook.cells[cell.index].get("metadata", {}).get("tags", []))
            error = cell.error
            if status == RunStatus.oom and cell.status == CellStatus.kernel_died:
                error = f"the kernel was killed for using more than {limits.memory_mb} MB of memory"
            cells.append(CellRecord(index=cell.index, tags=tags, status=cell.status, duration_s=cell.duration_s, cpu_s=cell.cpu_s, error=error))
    timings = dict(reported.timings) if reported else {}
    timings["sandbox_wall"] = outcome.wall_s
    if outcome.cpu_s is not None:
        timings["sandbox_cpu"] = outcome.cpu_s
    return RunRecord(status=status, reason=reason, sandbox=outcome.backend, cells=cells, timings=timings)


def collect_evidence(job_dir: Path, run: RunRecord, probes: dict, assignment: Assignment, inputs: Inputs, notebook, reference) -> Evidence:
    data: dict[str, ProbeData] = {}
    for name in probes:
        item = artifacts.read_probe(job_dir / "out", name, assignment.rubric.resources.artifact_bytes)
        if not item.ok and run.reason and "before this was collected" in (item.error or ""):
            item.error = f"{run.reason}, so this was never collected"
        data[name] = item
        run.probes.append(ProbeRecord(name=name, ok=item.ok, error=item.error))
    return Evidence(
        probes=data,
        held=inputs.held,
        inputs=inputs.sent,
        reference=reference,
        code_cells=code_cells(notebook),
        cells=run.cells,
        staff=assignment.staff,
    )


# -- 7 ---------------------------------------------------------------------------------------------
def judge_checks(checks: list[CheckBase], evidence: Evidence) -> list[CheckResult]:
    return settle_dependencies(checks, [check.judge(evidence) for check in checks])


# -- 8 ---------------------------------------------------------------------------------------------
def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def score(
    submission: Submission,
    assignment: Assignment,
    checks: list[CheckBase],
    verdicts: list[CheckResult],
    run: RunRecord | None,
    digest: str | None,
    public_only: bool,
    started: float,
    error: str | None = None,
) -> SubmissionResult:
    return SubmissionResult(
        student=submission.student,
        assignment_id=assignment.id,
        notebook_path=printable(str(submission.path)),
        notebook_sha256=digest,
        rubric_sha256=assignment.fingerprint,
        grader_version=__version__,
        graded=error is None,
        error=error,
        score=round(sum(v.points_awarded for v in verdicts), 4),
        max_score=sum(check.points for check in checks if not check.bonus),
        pending_points=sum(v.points_possible for v in verdicts if v.status in AWAITING_TA),
        checks=verdicts,
        run=run,
        public_only=public_only,
        duration_s=round(time.monotonic() - started, 2),
        graded_at=_now(),
    )


def timed_out(result: SubmissionResult) -> bool:
    """True when a wall-clock cap cut the run short: the one limit a busy machine can reach first.

    A CPU budget spent is final: the same code spends it alone or beside others. A wall-clock cap (the
    sandbox's, a cell's, the notebook's or a probe's) may have been reached because the machine was
    busy, so the batch runs that notebook again, alone, before the result counts.
    """
    run = result.run
    if run is None:
        return False
    walled = any(cell.status in (CellStatus.timeout, CellStatus.skipped) and "wall-clock" in (cell.error or "") for cell in run.cells)
    return run.status == RunStatus.timeout or walled or any(not probe.ok and "wall-clock" in (probe.error or "") for probe in run.probes)


# -- 9 ---------------------------------------------------------------------------------------------
def finish(result: SubmissionResult, assignment: Assignment, entry: RosterEntry | None) -> SubmissionResult:
    """The failing cell's excerpt for the report, and the rubric's late policy applied with the LMS's lateness."""
    excerpt = None
    if result.run is not None:
        try:
            excerpt = failing_cell(result.run, code_cells(load_notebook(Path(result.notebook_path))[0]))
        except NotebookError:
            excerpt = None
    return apply_late_policy(result.model_copy(update={"failing_cell": excerpt}), assignment.rubric.late_policy, entry)


def grade_submission(
    submission: Submission,
    assignment: Assignment,
    sandbox: Sandbox,
    *,
    public_only: bool = False,
    reference: dict[str, ProbeData] | None = None,
    is_reference: bool = False,
) -> tuple[SubmissionResult, dict[str, ProbeData]]:
    """Grade one notebook; returns the result and the probe data.

    ``reference`` is the reference solution's probe data for ``compare`` checks; with ``is_reference``
    the notebook *is* the reference, and its own data plays that part (one run instead of two).
    """
    started = time.monotonic()
    checks = select_checks(assignment, public_only)
    try:
        notebook, digest = load_submission(submission)
    except NotebookError as problem:
        return not_graded(submission, assignment, checks, str(problem), "the notebook could not be read", public_only, started), {}
    except Exception as bug:  # noqa: BLE001 - a file the loader did not foresee is this student's result, not a dead batch
        return not_graded(submission, assignment, checks, f"{submission.path}: {_describe(bug)}", "the notebook could not be read", public_only, started, grader_fault=True), {}
    probes = assignment.rubric.probes_for(checks)
    inputs = choose_inputs(assignment)
    try:
        with job_folder(f"{assignment.id}-") as job_dir:
            spec = write_job(job_dir, notebook, assignment, probes, inputs)
            outcome = run_sandboxed(sandbox, job_dir, assignment, spec)
            run = run_record(outcome, job_dir, notebook, assignment, spec)
            evidence = collect_evidence(job_dir, run, probes, assignment, inputs, notebook, reference)
    except Exception as bug:  # noqa: BLE001 - e.g. the container engine went away: one result, not a dead batch
        return not_graded(submission, assignment, checks, f"the grader could not run this notebook ({_describe(bug)})", None, public_only, started, grader_fault=True), {}
    if is_reference:
        evidence.reference = evidence.probes
    try:
        verdicts = judge_checks(checks, evidence)
        return score(submission, assignment, checks, verdicts, run, digest, public_only, started), evidence.probes
    except Exception as bug:  # noqa: BLE001 - each judge already catches its own; this is the net under the rest
        return not_graded(submission, assignment, checks, f"the grader could not judge this notebook ({_describe(bug)})", None, public_only, started, grader_fault=True), {}


def _describe(bug: BaseException) -> str:
    return one_line(f"{type(bug).__name__}: {bug}")


def one_line(text: str, limit: int = 300) -> str:
    """A reason fit for a result: one line, capped, and writable as UTF-8 whatever the student's bytes were."""
    flat = printable(" ".join(str(text).split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def not_graded(
    submission: Submission,
    assignment: Assignment,
    checks: list[CheckBase] | None,
    problem: str,
    what: str | None = None,
    public_only: bool = False,
    started: float | None = None,
    grader_fault: bool = False,
) -> SubmissionResult:
    """The result of a submission that could not be graded: every check 0, ``problem`` as the one-line reason.

    ``what`` is the sentence the checks give (default: the problem itself). With ``grader_fault`` (the
    grader failed, not the file) no digest is kept, so the next run grades the student again.
    """
    checks = select_checks(assignment, public_only) if checks is None else checks
    problem = one_line(problem)
    because = f"{what} ({problem})" if what else problem
    verdicts = [check.result(CheckStatus.error, 0.0, f"Not evaluated: {because}.") for check in checks]
    started = time.monotonic() if started is None else started
    digest = None if grader_fault else file_digest(submission.path)
    return score(submission, assignment, checks, verdicts, None, digest, public_only, started, error=problem)


# -- the in-notebook self-check ----------------------------------------------------------------------
def check_live(shell, assignment: Assignment, exercise: str, checks: list[CheckBase], saved: Path | None, reference: dict[str, ProbeData] | None) -> ExerciseCheck:
    """One exercise's public checks on the kernel the student is working in; nothing is re-run."""
    started = time.monotonic()
    probes = assignment.rubric.probes_for(checks)
    inputs = choose_inputs(assignment)
    with tempfile.TemporaryDirectory(prefix="grader-selfcheck-") as folder:
        write_inputs(Path(folder) / "inputs", probes, inputs)
        data = live.run_probes(shell, assignment, probes, Path(folder))
    notes, cells = [], None
    reads_code = any(check.kind == "static" for check in checks)
    if saved is not None:
        try:
            cells = code_cells(load_notebook(saved)[0])
            if reads_code:
                notes.append(f"Code checks read {saved.name} as last saved: save the notebook after editing.")
        except NotebookError as problem:
            notes.append(f"Your notebook file could not be read ({problem}).")
    if cells is None:
        cells = live.executed_cells(shell.user_ns)
        if reads_code:
            notes.append('Your notebook file was not found, so code checks read the cells this kernel ran, without their exercise tags; pass notebook="NAME.ipynb".')
    evidence = Evidence(probes=data, held=inputs.held, inputs=inputs.sent, reference=reference, code_cells=cells, cells=[], staff=assignment.staff)
    return ExerciseCheck(
        assignment_id=assignment.id,
        exercise=exercise,
        notebook_path=str(saved) if saved else None,
        checks=judge_checks(checks, evidence),
        notes=notes,
        duration_s=round(time.monotonic() - started, 2),
    )
