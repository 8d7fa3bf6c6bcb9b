"""The grader's public functions. The CLI calls exactly one of these per command.

grade(submissions_dir, assignment_id, ...)  -> BatchSummary   TAs: a whole batch, resumable
check(notebook_or_exercise, ...)            -> dispatches to one of the two below   students
check_notebook(notebook, assignment_id=None) -> SubmissionResult   public checks, whole notebook, sandboxed
check_exercise(exercise, assignment_id=None) -> ExerciseCheck   in a running notebook: one exercise, live kernel
validate(assignment_id=None)                -> list[ValidationOutcome]   staff: is the rubric right?
export(results_dir, format)                 -> Path   csv, canvas, moodle, gradescope
manual_export(results_dir, assignment_id)   -> list[Path]   pages + sheet for manual items
manual_import(sheet, results_dir)           -> list[SubmissionResult]   TA points merged, rescored
rubric_schema()                             -> dict   JSON Schema of the rubric format
gradescope_bundle(assignment_id)            -> Path   the autograder zip a course uploads to Gradescope
gradescope_autograde(root)                  -> Path   inside Gradescope: grade one submission, write results.json
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from grader._version import __version__
from grader.distributed import run_pool
from grader.errors import GraderError, InputError, RubricError, SubmissionsError
from grader.execution import live
from grader.execution.loading import file_digest, load_notebook, printable
from grader.exports import EXPORTERS, ExportContext
from grader.exports.gradescope import results_json
from grader.files import user_cache
from grader.lms import load_roster, save_roster, unpack_submissions
from grader.lms.gradescope import AutograderRoot, failure_results, write_bundle
from grader.lms.roster import ROSTER_FILE
from grader.manual import export_manual, import_manual
from grader.pipeline import Submission, check_live, finish, grade_submission, not_graded, select_checks, timed_out
from grader.reference import reference_data
from grader.reports import render_table, write_dashboard, write_student_reports
from grader.results import BatchSummary, ExerciseCheck, SubmissionResult
from grader.rubric import Assignment, Rubric, list_assignments, load_assignment
from grader.rubric.loading import course_search_absent
from grader.sandbox import Sandbox, get_sandbox
from grader.sandbox.base import Throttled
from grader.store import Gradebook
from grader.store.stamp import describe_inputs


# -- discovery --------------------------------------------------------------------------------------
def find_submissions(folder: Path, notebook_name: str) -> list[Submission]:
    """``folder/<student>.ipynb`` or ``folder/<student>/<notebook>.ipynb``; one per student."""
    if not folder.exists():
        raise SubmissionsError(f"{folder}: no such submissions folder")
    if not folder.is_dir():
        raise SubmissionsError(f"{folder}: not a folder")
    found: dict[str, Submission] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            found[printable(entry.stem)] = Submission(printable(entry.stem), entry)
        elif entry.is_dir():
            notebooks = sorted(p for p in entry.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            named = [p for p in notebooks if p.name == notebook_name]
            chosen = named[0] if named else notebooks[0] if len(notebooks) == 1 else None
            # A folder with no usable notebook is still a student: grading records why it got nothing.
            found[printable(entry.name)] = Submission(printable(entry.name), chosen or entry / notebook_name)
    if not found:
        raise SubmissionsError(f"{folder}: no notebooks found (expected <student>.ipynb or <student>/{notebook_name})")
    return list(found.values())


def _hidden(assignment: Assignment, extra_hidden: list[Path]) -> list[Path]:
    course = assignment.course_dir
    from grader.datasets import mnist

    return [course / "rubrics", course / "reference", mnist.package_dir(), *extra_hidden]


def _sandbox(assignment: Assignment, name: str, gpus: str | None, extra_hidden: list[Path]) -> Sandbox:
    return get_sandbox(name, hide=_hidden(assignment, extra_hidden), gpus=gpus)


@contextlib.contextmanager
def _students_sandbox(here: Sandbox, cluster: str | None, jobs: int, assignment: Assignment, name: str, gpus: str | None, extra_hidden: list[Path]):
    """Where the students' runs go, and how many at once: this machine, or a Dask cluster (the reference stays here)."""
    if cluster is None:
        # One host thread more than sandboxes: judging one submission overlaps the next one's run.
        yield Throttled(here, jobs), jobs + 1
        return
    from grader.distributed.dask import connect, gpu_request

    with connect(cluster, name, _hidden(assignment, extra_hidden), gpus, gpu_request(assignment.rubric.resources, gpus)) as remote:
        # Host threads only wait on the cluster and judge: keep every worker slot busy.
        yield remote, max(jobs, remote.slots())


# -- grade ------------------------------------------------------------------------------------------
OnResult = Callable[[int, int, SubmissionResult], None]
"""``on_result(done, total, result)``: called in the calling thread after each notebook's result is recorded."""


def grade(
    submissions_dir: Path | str,
    assignment_id: str,
    out_dir: Path | str = "results",
    jobs: int = 1,
    force: bool = False,
    sandbox: str = "local",
    gpus: str | None = None,
    course: Path | str | None = None,
    progress: bool = True,
    cluster: str | None = None,
    on_result: OnResult | None = None,
) -> BatchSummary:
    """Grade every notebook in a folder or LMS download (zip); write per-student JSON/Markdown/HTML, the class dashboard, grades.csv and gradebook.sqlite.

    ``cluster``: a Dask scheduler address (``tcp://host:8786``) or ``local[:N]``; each student's sandboxed run goes to a worker.
    ``on_result``: told of each result as it lands (the CLI draws its progress bar with it); the library itself draws nothing.
    ``progress=False`` silences ``on_result`` too: kept for callers from when the library wrote its own progress line.
    """
    assignment = load_assignment(assignment_id, course)
    source, out_dir = Path(submissions_dir), Path(out_dir)
    reports_dir = out_dir / assignment.id
    submissions_dir, download = unpack_submissions(source, out_dir / ".intake" / assignment.id, assignment.rubric.notebook)
    if download.students:
        save_roster(download, reports_dir)
    # Only this download's refusals: a roster kept from an earlier download says nothing about today's files.
    refused = {student: entry.refused for student, entry in download.students.items() if entry.refused}
    roster = load_roster(reports_dir)
    submissions = find_submissions(submissions_dir, assignment.rubric.notebook)
    hidden = [source, submissions_dir, out_dir]
    runner = _sandbox(assignment, sandbox, gpus, hidden)
    summary = BatchSummary(assignment_id=assignment.id, out_dir=str(out_dir), sandbox=runner.describe())
    with Gradebook(out_dir / "gradebook.sqlite") as book:
        todo = []
        for submission in submissions:
            digest = None if force else file_digest(submission.path)
            if digest and book.is_current(assignment.id, submission.student, digest, assignment.fingerprint, __version__):
                summary.skipped.append(submission.student)
            else:
                todo.append(submission)

        rerun: list[Submission] = []

        def store(submission: Submission, result: SubmissionResult) -> None:
            if (jobs > 1 or cluster) and timed_out(result) and submission not in rerun:
                rerun.append(submission)  # not final yet: re-run alone once the batch is done
                return
            try:
                _record(finish(result, assignment, roster.get(result.student) if roster else None), book, reports_dir, assignment)
            except Exception as bug:  # noqa: BLE001 - e.g. a report that cannot be written: record why, go on
                result = not_graded(submission, assignment, None, f"the grader could not record this result ({type(bug).__name__}: {bug})", grader_fault=True)
                _record(result, book, reports_dir, assignment)
            summary.graded.append(result.student)
            if progress and on_result:
                on_result(len(summary.graded), len(todo), result)

        try:
            if todo:
                with _students_sandbox(runner, cluster, jobs, assignment, sandbox, gpus, hidden) as (students, parallel):
                    # On this machine, once per content (rubric, grader, reference), shared by every results folder:
                    # the reference never travels to a worker.
                    reference = reference_data(assignment, runner, user_cache() / "reference")
                    summary.sandbox = students.describe()

                    def work(submission: Submission) -> SubmissionResult:
                        if submission.student in refused:
                            return not_graded(submission, assignment, None, refused[submission.student], "the notebook was not unpacked")
                        try:
                            return grade_submission(submission, assignment, students, reference=reference)[0]
                        except Exception as bug:  # noqa: BLE001 - one submission never stops the batch
                            return not_graded(submission, assignment, None, f"the grader failed on this notebook ({type(bug).__name__}: {bug})", grader_fault=True)

                    run_pool(todo, work, store, parallel)
                    # A timeout beside other notebooks may be the machine's doing: the one run alone decides.
                    for submission in rerun:
                        result = work(submission)
                        if result.run is not None:
                            result = result.model_copy(update={"run": result.run.model_copy(update={"rerun_alone": True})})
                        store(submission, result)
        finally:
            # Even a batch stopped by the TA (Ctrl-C) or a grader bug leaves the table of what is done.
            summary.results = book.all(assignment.id)
            EXPORTERS["csv"]().write(summary.results, out_dir / "grades.csv")
            write_dashboard(summary.results, reports_dir, assignment.rubric.title, roster)
        if not refused:
            _describe_if_settled(summary, book, submissions, assignment, source, course)
    return summary


def _describe_if_settled(summary: BatchSummary, book: Gradebook, submissions: list[Submission], assignment: Assignment, source: Path, course: Path | str | None) -> None:
    """When every student is current, say what the batch read and wrote, so an unchanged re-run can be answered from a stamp.

    "Current" is judged on the very digests the stamp keeps: a notebook replaced while the batch ended is
    either both in the stamp and judged, or neither.
    """
    staff = assignment.course_dir / "rubrics" / assignment.id
    files = [assignment.rubric_path, staff / "probes.py", staff / "judges.py", assignment.reference_notebook, *course_search_absent(course)]
    inputs, folders = describe_inputs([path.absolute() for path in files] + ([source.absolute()] if source.is_file() else []), [source.absolute()] if source.is_dir() else [])
    for submission in submissions:  # notebooks unpacked from a download are not inputs themselves: the download is
        digest = inputs.get(str(submission.path.absolute())) or file_digest(submission.path) or ""
        if not book.is_current(assignment.id, submission.student, digest, assignment.fingerprint, __version__):
            return
    reports_dir = Path(summary.out_dir) / assignment.id
    outputs = [Path(summary.out_dir) / "gradebook.sqlite", Path(summary.out_dir) / "grades.csv", reports_dir / "index.html", reports_dir / ROSTER_FILE]
    summary.inputs, summary.input_folders, summary.settled = inputs, folders, True
    summary.outputs = [str(path.absolute()) for path in outputs if path.exists()]


def _record(result: SubmissionResult, book: Gradebook, reports_dir: Path, assignment: Assignment) -> None:
    book.save(result)
    write_student_reports(result, reports_dir, assignment.rubric.title)


# -- check ------------------------------------------------------------------------------------------
def _guess_assignment(notebook: Path, course: Path | str | None) -> str:
    matches = []
    for assignment_id in list_assignments(course):
        try:
            if load_assignment(assignment_id, course).rubric.notebook == notebook.name:
                matches.append(assignment_id)
        except RubricError:
            continue
    if len(matches) != 1:
        raise InputError(f"{notebook}: cannot tell which assignment this is; pass --assignment (known: {', '.join(list_assignments(course))})")
    return matches[0]


def check(
    target: Path | str, assignment_id: str | None = None, course: Path | str | None = None, sandbox: str = "local", notebook: Path | str | None = None
) -> SubmissionResult | ExerciseCheck | None:
    """Students. ``check("hw.ipynb")``: the whole notebook's public checks (``check_notebook``).
    ``check("ex3")`` in a running notebook: that exercise's public checks on the live kernel (``check_exercise``)."""
    text = str(target)
    if isinstance(target, Path) or text.endswith(".ipynb") or os.sep in text or Path(text).is_file():
        return check_notebook(target, assignment_id, course, sandbox)
    return check_exercise(text, assignment_id, notebook, course, sandbox)


def check_exercise(exercise: str, assignment_id: str | None = None, notebook: Path | str | None = None, course: Path | str | None = None, sandbox: str = "local") -> ExerciseCheck | None:
    """Run one exercise's public checks on the kernel this is called from; the notebook is not re-run.

    The assignment and the saved notebook (for code checks) are found from the notebook's path, the
    working folder or the exercise tag; ``assignment_id`` and ``notebook`` say it outright.
    """
    if os.environ.get("GRADER_SANDBOX"):
        # The template's self-check cells run while the notebook is graded too: the grader runs every check itself.
        print(f"grader.check({exercise!r}): skipped while grading")
        return None
    shell = live.kernel_shell(exercise)
    live.show_under_cells(shell)
    assignment, saved = live.locate(exercise, assignment_id, live.notebook_candidates(notebook, shell.user_ns), course)
    checks = select_checks(assignment, public_only=True, exercise=exercise)
    if not checks:
        known = ", ".join(assignment.rubric.public_exercises()) or "none"
        raise InputError(f"{assignment.rubric_path}: no public checks for exercise {exercise!r} (exercises with public checks: {known})")
    reference = None
    if any(check.uses_reference() for check in checks):
        reference = reference_data(assignment, _sandbox(assignment, sandbox, None, []), user_cache() / "reference")
    return check_live(shell, assignment, exercise, checks, saved, reference)


def check_notebook(notebook: Path | str, assignment_id: str | None = None, course: Path | str | None = None, sandbox: str = "local") -> SubmissionResult:
    """Run the public checks on one notebook (a student's self-check); hidden checks are not run."""
    notebook = Path(notebook)
    load_notebook(notebook)  # bad input fails here, with one line, before anything starts
    assignment = load_assignment(assignment_id or _guess_assignment(notebook, course), course)
    runner = _sandbox(assignment, sandbox, None, [])
    reference = reference_data(assignment, runner, user_cache() / "reference")
    return grade_submission(Submission(notebook.stem, notebook), assignment, runner, public_only=True, reference=reference)[0]


# -- validate ---------------------------------------------------------------------------------------
@dataclass
class ValidationOutcome:
    """One notebook of ``validate``: what it scored and what it should have scored."""

    assignment_id: str
    name: str
    expected: float
    result: SubmissionResult

    @property
    def ok(self) -> bool:
        return abs(self.result.score - self.expected) < 1e-6


def _expected_scores(assignment: Assignment) -> dict[str, float]:
    path = assignment.samples_dir / "expected.yaml"
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text()) or {}
    try:
        return {str(name): float(value["score"] if isinstance(value, dict) else value) for name, value in raw.items()}
    except (TypeError, ValueError, KeyError):
        raise RubricError(f"{path}: each entry must be '<sample>: <score>' or '<sample>: {{score: <score>}}'") from None


def validate(
    assignment_id: str | None = None,
    course: Path | str | None = None,
    jobs: int = 1,
    sandbox: str = "local",
    progress: bool = True,
    on_result: OnResult | None = None,
) -> list[ValidationOutcome]:
    """Grade the reference (must earn every automatic point) and every sample (must earn its expected score).

    First, the template and the reference must be what ``grader assign`` makes from the source notebook now.
    ``on_result`` and ``progress`` as for ``grade``, counting each assignment's samples (the reference runs first, uncounted).
    """
    from grader.authoring.assign import stale

    ids = [assignment_id] if assignment_id else list_assignments(course)
    outcomes: list[ValidationOutcome] = []
    for current in ids:
        assignment = load_assignment(current, course)
        outdated = stale(assignment)
        if outdated:
            raise RubricError(f"{outdated[0]}: not what the source notebook makes now; run `grader assign {current}`")
        runner = _sandbox(assignment, sandbox, None, [])
        automatic = sum(c.points for c in assignment.rubric.checks if c.kind != "manual" and not c.bonus)
        bonus = sum(c.points for c in assignment.rubric.checks if c.bonus)
        expected = _expected_scores(assignment)
        items = [(name, assignment.samples_dir / f"{name}.ipynb", score) for name, score in expected.items() if name != "reference"]
        missing = [str(path) for _, path, _ in items if not path.exists()]
        if missing or not assignment.reference_notebook.exists():
            raise RubricError(f"{assignment.rubric_path}: validation notebook missing: {(missing or [str(assignment.reference_notebook)])[0]}")
        # The reference runs first: its probe data is what compare checks hold the samples to.
        reference_result, reference = grade_submission(Submission("reference", assignment.reference_notebook), assignment, runner, is_reference=True)
        outcomes.append(ValidationOutcome(current, "reference", automatic + bonus, reference_result))

        # Both run inside this iteration (run_pool returns before the next one): the loop's values are bound.
        def work(item, assignment=assignment, runner=runner, reference=reference):
            name, path, _ = item
            return grade_submission(Submission(name, path), assignment, runner, reference=reference)[0]

        def collect(item, result, current=current, items=items):
            outcomes.append(ValidationOutcome(current, item[0], item[2], result))
            if progress and on_result:
                on_result(len([o for o in outcomes if o.assignment_id == current]) - 1, len(items), result)

        run_pool(items, work, collect, jobs)
    return outcomes


def assign(assignment_id: str | None = None, course: Path | str | None = None) -> list[Path]:
    """Write each assignment's student template and reference from its source notebook (rubrics/<id>/source.ipynb)."""
    from grader.authoring.assign import assign as generate

    ids = [assignment_id] if assignment_id else list_assignments(course)
    return [path for current in ids for path in generate(load_assignment(current, course))]


# -- export, schema -----------------------------------------------------------------------------------
def export(results_dir: Path | str, format: str = "csv", out: Path | str | None = None, assignment_id: str | None = None, column: str | None = None) -> Path:
    """Write the gradebook of a results folder in an LMS (or plain CSV) format; column names the LMS gradebook column."""
    results_dir = Path(results_dir)
    database = results_dir / "gradebook.sqlite"
    if not database.exists():
        raise InputError(f"{results_dir}: no gradebook.sqlite here; run `grader grade` first")
    if format not in EXPORTERS:
        raise InputError(f"unknown export format {format!r} (known: {', '.join(sorted(EXPORTERS))})")
    with Gradebook(database) as book:
        results = book.all(assignment_id)
    assignments = sorted({result.assignment_id for result in results})
    if column and len(assignments) > 1:
        raise InputError(f"{results_dir}: a column names one assignment, but the gradebook holds {', '.join(assignments)}; pass --assignment")
    rosters = {name: roster for name in assignments if (roster := load_roster(results_dir / name))}
    exporter = EXPORTERS[format](ExportContext(rosters=rosters, column=column))
    return exporter.write(results, Path(out) if out else results_dir / f"export-{format}{exporter.suffix}")


# -- manual grading -----------------------------------------------------------------------------------
def _gradebook_results(results_dir: Path, assignment_id: str | None) -> list[SubmissionResult]:
    """The results of one assignment (the only one in the gradebook when assignment_id is None)."""
    database = results_dir / "gradebook.sqlite"
    if not database.exists():
        raise InputError(f"{results_dir}: no gradebook.sqlite here; run `grader grade` first")
    with Gradebook(database) as book:
        results = book.all(assignment_id)
    held = sorted({result.assignment_id for result in results})
    if len(held) != 1:
        which = f"no results for {assignment_id}" if assignment_id else f"pass --assignment (it holds {', '.join(held) or 'nothing'})"
        raise InputError(f"{results_dir}: {which} in the gradebook")
    return results


def manual_export(results_dir: Path | str, assignment_id: str, course: Path | str | None = None) -> list[Path]:
    """Write, per manual item, a page of every student's answer cells, and the sheet to fill in (last path)."""
    results_dir, assignment = Path(results_dir), load_assignment(assignment_id, course)
    return export_manual(_gradebook_results(results_dir, assignment.id), assignment, results_dir / assignment.id / "manual")


def manual_import(sheet: Path | str, results_dir: Path | str, assignment_id: str | None = None, course: Path | str | None = None) -> list[SubmissionResult]:
    """Merge a filled-in sheet into the gradebook; rewrite the reports, dashboard and grades.csv; return the changed results."""
    results_dir = Path(results_dir)
    results = _gradebook_results(results_dir, assignment_id)
    assignment = load_assignment(results[0].assignment_id, course)
    roster = load_roster(results_dir / assignment.id)
    changed = import_manual(Path(sheet), results, assignment, roster)
    with Gradebook(results_dir / "gradebook.sqlite") as book:
        for result in changed:
            book.save(result)
            write_student_reports(result, results_dir / assignment.id, assignment.rubric.title)
        everything = book.all()
    EXPORTERS["csv"]().write(everything, results_dir / "grades.csv")
    write_dashboard([r for r in everything if r.assignment_id == assignment.id], results_dir / assignment.id, assignment.rubric.title, roster)
    return changed


# -- Gradescope ---------------------------------------------------------------------------------------
def gradescope_bundle(assignment_id: str, out: Path | str | None = None, course: Path | str | None = None, sandbox: str = "local") -> Path:
    """Write the Gradescope autograder zip: the grader, the rubric and the reference's probe data (never the reference notebook)."""
    assignment = load_assignment(assignment_id, course)
    with tempfile.TemporaryDirectory(prefix="grader-bundle-") as cache:
        # Computed once here, so no Gradescope container ever runs (or holds) the reference solution.
        reference_data(assignment, _sandbox(assignment, sandbox, None, []), Path(cache))
        return write_bundle(assignment, Path(out) if out else Path(f"{assignment.id}-gradescope.zip"), Path(cache))


def gradescope_autograde(root: Path | str | None = None, sandbox: str = "local") -> Path:
    """Grade the one submission of a Gradescope container and write results.json, also when it cannot be graded."""
    layout = AutograderRoot(Path(root or os.environ.get("AUTOGRADER_ROOT", "/autograder")))
    layout.protect()
    try:
        assignment = load_assignment(layout.assignment_id(), layout.course)
        notebook, entry = layout.notebook(assignment.rubric.notebook), layout.student()
        runner = _sandbox(assignment, sandbox, None, [layout.source, layout.results, layout.metadata])
        reference = reference_data(assignment, runner, layout.cache)
        result = grade_submission(Submission(entry.student, notebook), assignment, runner, reference=reference)[0]
        document = results_json(finish(result, assignment, entry))
        document["output"] += f"\nSandbox: {runner.describe()}"
    except GraderError as problem:
        document = failure_results(str(problem))
    return layout.write_results(document)


def build_image(gpu: bool = False) -> str:
    """Build the Docker grading image offline; returns its content-hash tag."""
    try:
        from grader.sandbox.images import build_image as build
    except ImportError as problem:
        raise InputError(f"building the image needs the docker extra: pip install 'grader[docker]' ({problem})") from None
    return build(gpu=gpu)


def rubric_schema() -> dict:
    """JSON Schema of the rubric YAML format, generated from the models."""
    return Rubric.model_json_schema()


def rubric_reference() -> str:
    """The rubric reference page (Markdown), generated from the models' field descriptions."""
    from grader.rubric.reference_page import render

    return render()


__all__ = [
    "ValidationOutcome",
    "assign",
    "build_image",
    "check",
    "check_exercise",
    "check_notebook",
    "export",
    "find_submissions",
    "grade",
    "gradescope_autograde",
    "gradescope_bundle",
    "list_assignments",
    "manual_export",
    "manual_import",
    "render_table",
    "rubric_reference",
    "rubric_schema",
    "validate",
]
