"""The command line: parses options and calls one function of ``grader.api``. Nothing else.

Defaults come from the API functions' signatures, so the CLI and the library cannot disagree.
Errors the grader raises on purpose print as one line and exit 2; anything else is a grader bug,
printed as one line too (set GRADER_DEBUG=1 for the traceback) with exit 70.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from grader.errors import GraderError
from grader.store import stamp

if TYPE_CHECKING:
    from grader import api
    from grader.results import BatchSummary


def default(function: Callable, name: str):
    return inspect.signature(function).parameters[name].default


def build_parser() -> argparse.ArgumentParser:
    from grader import api
    from grader.exports import EXPORTERS

    parser = argparse.ArgumentParser(prog="grader", description="Grade TensorFlow notebooks in a sandbox against a rubric.")
    parser.add_argument("--course", type=Path, default=None, help="Course folder with rubrics/, assignments/, reference/ (default: found from the working directory).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    grade = commands.add_parser(
        "grade",
        help="Grade every notebook in a submissions folder (TAs).",
        description="Grade every notebook in SUBMISSIONS_DIR (<student>.ipynb or <student>/<notebook>.ipynb), or in a Moodle or Canvas bulk download (.zip).",
    )
    grade.add_argument("submissions_dir", type=Path, metavar="SUBMISSIONS_DIR")
    grade.add_argument("--assignment", "-a", required=True, help="Assignment id (rubric name), e.g. pw06-mlp.")
    grade.add_argument("--out", type=Path, default=Path(default(api.grade, "out_dir")), help="Results folder (default: %(default)s).")
    grade.add_argument("-j", "--jobs", type=int, default=default(api.grade, "jobs"), help="Submissions graded at once (default: %(default)s).")
    grade.add_argument("--force", action="store_true", help="Regrade students whose notebook, rubric and grader did not change.")
    grade.add_argument("--sandbox", choices=["local", "docker", "auto"], default=default(api.grade, "sandbox"), help="Sandbox backend (default: %(default)s).")
    grade.add_argument("--gpus", default=None, help="GPUs per container for the docker sandbox: N or all; with --cluster, jobs go only to workers started with --resources GPU=N.")
    grade.add_argument(
        "--cluster",
        default=default(api.grade, "cluster"),
        metavar="ADDRESS",
        help="Run each student's sandbox on a Dask cluster: a scheduler address (tcp://host:8786) or local[:N] for N worker processes here (needs grader[cluster]).",
    )

    check = commands.add_parser("check", help="Run the public checks on your notebook (students).", description="Run the public checks on NOTEBOOK. Exit code 0 only when all pass.")
    check.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    check.add_argument("--assignment", "-a", default=None, help="Assignment id (default: found from the notebook's file name).")

    assign = commands.add_parser("assign", help="Write the student template and the reference from the source notebook with solution markers.")
    assign.add_argument("assignment", nargs="?", default=None, metavar="ASSIGNMENT", help="Assignment id (default: all).")

    validate = commands.add_parser("validate", help="Check a rubric: the reference must earn full marks, samples their expected scores.")
    validate.add_argument("assignment", nargs="?", default=None, metavar="ASSIGNMENT", help="Assignment id (default: all).")
    validate.add_argument("-j", "--jobs", type=int, default=default(api.validate, "jobs"), help="Notebooks graded at once (default: %(default)s).")
    validate.add_argument("--sandbox", choices=["local", "docker", "auto"], default=default(api.validate, "sandbox"), help="Sandbox backend (default: %(default)s).")

    export = commands.add_parser("export", help="Export a results folder's grades for an LMS.")
    export.add_argument("results_dir", type=Path, metavar="RESULTS_DIR")
    export.add_argument("--format", "-f", default=default(api.export, "format"), help=f"Export format: {', '.join(sorted(EXPORTERS))} (default: %(default)s).")
    export.add_argument("--out", type=Path, default=None, help="Output file (default: inside RESULTS_DIR).")
    export.add_argument("--assignment", "-a", default=None, help="Export only this assignment (default: every assignment in the gradebook).")
    export.add_argument("--column", default=None, help="LMS gradebook column, e.g. 'PW06 (4321)' for Canvas (default: the assignment id).")

    manual = commands.add_parser("manual", help="Grade by hand the rubric's manual items and the checks awaiting review (TAs).")
    manual_commands = manual.add_subparsers(dest="manual_command", required=True, metavar="ACTION")
    manual_export = manual_commands.add_parser("export", help="Write a page of answers per manual item and a sheet to fill in.")
    manual_export.add_argument("results_dir", type=Path, metavar="RESULTS_DIR")
    manual_export.add_argument("--assignment", "-a", required=True, help="Assignment id (rubric name).")
    manual_import = manual_commands.add_parser("import", help="Merge a filled-in sheet into the results; reports and exports then include it.")
    manual_import.add_argument("sheet", type=Path, metavar="SHEET")
    manual_import.add_argument("results_dir", type=Path, metavar="RESULTS_DIR")
    manual_import.add_argument("--assignment", "-a", default=None, help="Assignment id (default: the only one in the gradebook).")

    gradescope = commands.add_parser("gradescope", help="Run this grader as a Gradescope autograder.")
    gradescope_commands = gradescope.add_subparsers(dest="gradescope_command", required=True, metavar="ACTION")
    bundle = gradescope_commands.add_parser("bundle", help="Write the autograder zip to upload to Gradescope (setup.sh, run_autograder, grader, rubric).")
    bundle.add_argument("--assignment", "-a", required=True, help="Assignment id (rubric name).")
    bundle.add_argument("--out", type=Path, default=None, help="Zip to write (default: <assignment>-gradescope.zip).")
    autograde = gradescope_commands.add_parser("run", help="Inside Gradescope's container: grade the submission, write results/results.json.")
    autograde.add_argument("--root", type=Path, default=None, help="The autograder folder (default: $AUTOGRADER_ROOT, else /autograder).")

    schema = commands.add_parser("schema", help="Print the JSON Schema of the rubric format (for editors), or its reference page.")
    schema.add_argument("--markdown", action="store_true", help="Print the rubric reference page (docs/rubric.md) instead.")
    commands.add_parser("list", help="List the assignments of the course.")

    image = commands.add_parser("image", help="Build the Docker grading image.")
    image_commands = image.add_subparsers(dest="image_command", required=True, metavar="ACTION")
    build = image_commands.add_parser("build", help="Build the grading image offline (debootstrap base + local wheels).")
    build.add_argument("--gpu", action="store_true", help="Build the GPU variant.")
    return parser


@contextlib.contextmanager
def progress_display(stream: TextIO | None = None) -> Iterator[api.OnResult]:
    """An ``on_result`` callback that shows a batch's progress on stderr (the library draws nothing itself).

    On a terminal, a rich progress bar per assignment that stays on screen when done. Anywhere else (a log
    file, CI) one plain line per finished notebook, so the log reads top to bottom with no redrawing.
    """
    from grader.reports.terminal import progress_line, progress_note

    stream = stream or sys.stderr
    if not stream.isatty():

        def log(done: int, total: int, result) -> None:
            print(progress_line(done, total, result), file=stream, flush=True)

        yield log
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    # markup=False: a student's name such as "[red]x" is shown as written, never read as rich markup.
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.fields[last]}", markup=False))
    with Progress(*columns, console=Console(file=stream), transient=False) as bar:
        tasks: dict[str, TaskID] = {}  # one bar per assignment: validate runs several in turn

        def draw(done: int, total: int, result) -> None:
            if result.assignment_id not in tasks:
                tasks[result.assignment_id] = bar.add_task(result.assignment_id, total=total, last="")
            bar.update(tasks[result.assignment_id], completed=done, total=total, last=progress_note(result))

        yield draw


def grade_text(summary: BatchSummary, graded: int, kept: int) -> str:
    """What ``grader grade`` prints once the batch is done: the sandbox, the table, where things are."""
    from grader.reports import render_table

    sandbox = summary.sandbox if graded else "none started (every result is current)"
    where = f"Dashboard: {Path(summary.out_dir) / summary.assignment_id / 'index.html'}; reports: <student>.html beside it; grades: {Path(summary.out_dir) / 'grades.csv'}"
    return f"Sandbox: {sandbox}\n{render_table(summary.results)}\n\n{graded} graded" + (f", {kept} unchanged and kept" if kept else "") + f". {where}"


def run(arguments: argparse.Namespace, command_key: str = "") -> int:
    from grader import api

    if arguments.command == "grade":
        with progress_display() as on_result:
            summary = api.grade(
                arguments.submissions_dir,
                arguments.assignment,
                arguments.out,
                jobs=arguments.jobs,
                force=arguments.force,
                sandbox=arguments.sandbox,
                gpus=arguments.gpus,
                course=arguments.course,
                cluster=arguments.cluster,
                on_result=on_result,
            )
        print(grade_text(summary, len(summary.graded), len(summary.skipped)))
        if command_key and summary.settled and not arguments.force:
            # The same command again would keep every result: let it answer from the stamp (grader.store.stamp).
            everyone = len(summary.graded) + len(summary.skipped)
            stamp.record(command_key, summary.inputs, summary.input_folders, [Path(path) for path in summary.outputs], grade_text(summary, 0, everyone))
        elif command_key:
            stamp.forget(command_key)
        return 0
    if arguments.command == "check":
        from grader.reports import render_check
        from grader.results import AWAITING_OR_PASSED

        result = api.check_notebook(arguments.notebook, arguments.assignment, course=arguments.course)
        print(render_check(result))
        return 0 if all(c.status in AWAITING_OR_PASSED for c in result.checks) else 1
    if arguments.command == "assign":
        for path in api.assign(arguments.assignment, course=arguments.course):
            print(path)
        return 0
    if arguments.command == "validate":
        from grader.reports.text import lost_points

        with progress_display() as on_result:
            outcomes = api.validate(arguments.assignment, course=arguments.course, jobs=arguments.jobs, sandbox=arguments.sandbox, on_result=on_result)
        for outcome in outcomes:
            mark = "ok  " if outcome.ok else "FAIL"
            lost = ", ".join(c.check_id for c in outcome.result.checks if lost_points(c))
            print(f"{mark} {outcome.assignment_id}/{outcome.name}: {outcome.result.score:g} (expected {outcome.expected:g})" + (f"  lost: {lost}" if lost else ""))
        bad = [o for o in outcomes if not o.ok]
        print(f"\n{len(outcomes) - len(bad)} of {len(outcomes)} notebooks scored as expected.")
        return 1 if bad else 0
    if arguments.command == "export":
        print(api.export(arguments.results_dir, arguments.format, arguments.out, assignment_id=arguments.assignment, column=arguments.column))
        return 0
    if arguments.command == "manual" and arguments.manual_command == "export":
        for path in api.manual_export(arguments.results_dir, arguments.assignment, course=arguments.course):
            print(path)
        return 0
    if arguments.command == "manual" and arguments.manual_command == "import":
        changed = api.manual_import(arguments.sheet, arguments.results_dir, arguments.assignment, course=arguments.course)
        print(f"{len(changed)} student(s) updated: {', '.join(r.student for r in changed) or 'none'}.")
        return 0
    if arguments.command == "gradescope" and arguments.gradescope_command == "bundle":
        print(api.gradescope_bundle(arguments.assignment, arguments.out, course=arguments.course))
        return 0
    if arguments.command == "gradescope" and arguments.gradescope_command == "run":
        print(api.gradescope_autograde(arguments.root))
        return 0
    if arguments.command == "schema":
        print(api.rubric_reference() if arguments.markdown else json.dumps(api.rubric_schema(), indent=2), end="" if arguments.markdown else "\n")
        return 0
    if arguments.command == "list":
        for assignment_id in api.list_assignments(arguments.course):
            print(assignment_id)
        return 0
    if arguments.command == "image":
        print(api.build_image(gpu=arguments.gpu))
        return 0
    raise AssertionError(arguments.command)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command_key = stamp.command_key(argv)
    # An unchanged re-grade answers here, before the grader's host side is imported (most of its cost).
    answer = stamp.replay(command_key)
    if answer is not None:
        print(answer)
        return 0
    arguments = build_parser().parse_args(argv)
    try:
        return run(arguments, command_key)
    except GraderError as problem:
        print(f"grader: error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("grader: interrupted; every result graded so far is saved (re-run to resume)", file=sys.stderr)
        return 130
    except Exception as problem:  # noqa: BLE001 - the user gets one line, never a traceback
        if os.environ.get("GRADER_DEBUG"):
            raise
        print(f"grader: internal error: {type(problem).__name__}: {problem} (set GRADER_DEBUG=1 for the traceback)", file=sys.stderr)
        return 70
