"""Probes on a live kernel: the in-notebook self-check's stand-in for the sandbox stage.

``grader.check("ex3")`` is called from a cell of the student's own notebook, on the student's own
machine: there is no sandbox to enter and no notebook to re-run. The rubric's probes run here, on the
kernel's namespace, through the very runtime the runner injects in the sandbox (``probe_runtime.py``),
and what they write is read back with the same capped, pickle-free readers (``artifacts.read_probe``).
So a self-check and a grading run turn the same student state into the same probe data, and the judges
then see exactly what they see when a TA grades. Nothing here is a grade: it runs in the student's process.

Probes are written to leave the student's state alone (TF1 graphs are built in fresh graphs, models are
only evaluated), which is what makes running them in a live kernel harmless.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from grader.checks.base import ProbeData
from grader.errors import InputError, RubricError
from grader.execution import artifacts
from grader.reports.selfcheck import render_exercise_html, render_exercise_text
from grader.results import ExerciseCheck
from grader.rubric.loading import Assignment, list_assignments, load_assignment
from grader.rubric.models import ProbeSpec

RUNTIME = Path(__file__).parent / "probe_runtime.py"
OUTSIDE = "grader.check({!r}) checks an exercise from inside a running notebook; in a terminal run `grader check NOTEBOOK.ipynb`"


def kernel_shell(exercise: str):
    """The IPython shell this is called from; InputError when there is none (plain Python, a script)."""
    try:
        from IPython import get_ipython
    except ImportError:
        raise InputError(OUTSIDE.format(exercise)) from None
    shell = get_ipython()
    if shell is None:
        raise InputError(OUTSIDE.format(exercise))
    return shell


def show_under_cells(shell) -> None:
    """Teach the kernel to show an ``ExerciseCheck`` under the cell: HTML in Jupyter, text in consoles.

    Results are data (no ``_repr_html_`` on the model, which would make results import the reports), so the
    rendering is registered with IPython's display formatters of this kernel instead; doing it again is harmless.
    """
    formatters = shell.display_formatter.formatters
    formatters["text/html"].for_type(ExerciseCheck, render_exercise_html)
    formatters["text/plain"].for_type(ExerciseCheck, lambda result, printer, cycle: printer.text(render_exercise_text(result)))


def notebook_candidates(explicit: str | os.PathLike | None, namespace: dict) -> list[Path]:
    """Where the running notebook may be saved, most trustworthy first.

    The kernel is not told its notebook's path by the protocol; Jupyter Server passes it as
    JPY_SESSION_NAME (ipykernel also puts it in ``__session__``) and VS Code as ``__vsc_ipynb_file__``.
    """
    found = [explicit, os.environ.get("JPY_SESSION_NAME"), namespace.get("__session__"), namespace.get("__vsc_ipynb_file__")]
    return [Path(str(item)).expanduser() for item in found if item and str(item).endswith(".ipynb")]


def locate(exercise: str, assignment_id: str | None, candidates: list[Path], course) -> tuple[Assignment, Path | None]:
    """The assignment this notebook belongs to and the file it is saved in (None when not found).

    In order: the assignment named by the student; a known notebook path whose file name is a rubric's
    notebook; a rubric's notebook in the kernel's working folder; the only assignment with public checks
    for that exercise.
    """
    if assignment_id:
        chosen = load_assignment(assignment_id, course)
        saved = [path for path in [*candidates, Path.cwd() / chosen.rubric.notebook] if path.is_file()]
        return chosen, saved[0] if saved else None
    assignments = []
    for name in list_assignments(course):
        try:
            assignments.append(load_assignment(name, course))
        except RubricError:
            continue  # a broken rubric of another series must not stop this student's self-check
    for path in candidates:
        for assignment in assignments:
            if assignment.rubric.notebook == path.name:
                return assignment, path if path.is_file() else None
    here = [a for a in assignments if (Path.cwd() / a.rubric.notebook).is_file()]
    if len(here) > 1:
        here = [a for a in here if exercise in a.rubric.public_exercises()]
    if len(here) == 1:
        return here[0], Path.cwd() / here[0].rubric.notebook
    having = [a for a in assignments if exercise in a.rubric.public_exercises()]
    if len(having) == 1:
        return having[0], None
    names = ", ".join(a.id for a in (having or assignments)) or "none in this course"
    raise InputError(f'grader.check({exercise!r}): cannot tell which assignment this notebook is; pass assignment_id="..." (one of: {names})')


def executed_cells(namespace: dict) -> list[tuple[int, list[str], str]]:
    """The kernel's input history as (index, tags, source): what ran, without tags (the kernel never sees them)."""
    history = namespace.get("In") or []
    return [(index, [], source) for index, source in enumerate(history) if isinstance(source, str) and source.strip()]


class ProbeTimeout(Exception):
    """A probe ran past its time limit in the live kernel."""

    explains_itself = True  # the probe runtime records the message as it is


@contextmanager
def time_limit(seconds: float, name: str) -> Iterator[None]:
    """Raise ProbeTimeout in this thread after ``seconds``; a no-op off the main thread (signals cannot go there)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise ProbeTimeout(f"the probe {name} ran past its {seconds:g} s limit")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_probes(shell, assignment: Assignment, probes: dict[str, ProbeSpec], job_dir: Path) -> dict[str, ProbeData]:
    """Run the probes on the shell's namespace with the inputs in ``job_dir/inputs``; their data, parsed as in grading."""
    max_bytes = assignment.rubric.resources.artifact_bytes
    out_dir = job_dir / "out"
    (out_dir / "probes").mkdir(parents=True)
    scope: dict[str, Any] = {"__name__": "grader_selfcheck", "get_ipython": lambda: shell}
    exec(compile(RUNTIME.read_text(), RUNTIME.name, "exec"), scope)
    probe = scope["__grader_install"](str(out_dir / "probes"), str(job_dir / "inputs"), assignment.probes_source, max_bytes)
    data = {}
    for name, spec in probes.items():
        try:
            with time_limit(spec.timeout or assignment.rubric.timeouts.probe, name):
                probe(name, spec.function or name, tuple(spec.forbid_imports))
        except ProbeTimeout:
            pass  # the alarm went off just after the probe finished: its record is already written
        data[name] = artifacts.read_probe(out_dir, name, max_bytes)
        # The runtime records every exception, Ctrl-C included; a student who interrupts means "stop".
        if not data[name].ok and (data[name].error or "").startswith("KeyboardInterrupt"):
            raise KeyboardInterrupt
    return data
