"""nbgrader and Otter-Grader for bench_overhead.py: find them, lay out their courses, grade the tiny batch.

Each lives in its own virtual environment (``bash bench/install-comparisons.sh``); it is found through
``BENCH_NBGRADER`` / ``BENCH_OTTER`` (the executable), else ``/opt/bench-venvs/<name>/bin/<exe>``, else PATH.

- nbgrader: a course folder with ``source/tiny/tiny.ipynb``, ``submitted/<student>/tiny/tiny.ipynb``, an
  ``nbgrader_config.py`` and a gradebook holding the assignment and the students (set up untimed). What is
  timed is ``nbgrader autograde tiny --force``: it executes every student's notebook, one at a time (its
  only mode), in the grader's own kernel (a ``python3`` kernelspec on ``JUPYTER_PATH``), like bare nbclient.
- Otter: an autograder zip from ``otter generate`` with two doctests (``double``, ``greeting``), built
  untimed; what is timed is ``otter run`` once per notebook, two at a time. Otter imports itself in the
  kernel, so its kernel is its environment's (same ipykernel and numpy versions, from the install script).

After every run ``check`` reads what the system wrote and stops the bench when a notebook was not executed
or not graded, so a fast time can never come from skipped work.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

INSTALL = "bash bench/install-comparisons.sh"
VENVS = Path("/opt/bench-venvs")

OTTER_TESTS = {
    "ex1": ">>> double(2) == 4\nTrue",
    "ex2": ">>> greeting().startswith('Hello')\nTrue",
}

# One `otter run` per notebook, N at a time: argv = otter, autograder zip, output root, N, notebooks...
OTTER_DRIVER = """
import subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

otter, zip_path, out_root, jobs, notebooks = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]

def run(notebook):
    out = out_root / Path(notebook).stem
    out.mkdir(parents=True)
    subprocess.run([otter, "run", "-a", zip_path, "-o", str(out), "--no-logo", notebook], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

with ThreadPoolExecutor(jobs) as pool:
    list(pool.map(run, notebooks))
"""


class Comparison:
    """One comparison system on one batch: ``command(r)`` is timed (in ``cwd`` with ``env``), ``check(r)`` after."""

    def __init__(self, name: str, jobs: int, cwd: Path, env: dict[str, str]) -> None:
        self.name, self.jobs, self.cwd, self.env = name, jobs, cwd, env

    def command(self, repetition: int) -> list[str]:
        raise NotImplementedError

    def check(self, repetition: int) -> None:
        raise NotImplementedError


def find(name: str, exe: str, variable: str) -> tuple[str | None, str]:
    """(path of the executable or None, a note saying where it was found or why it is skipped)."""
    given = os.environ.get(variable)
    if given:
        if os.access(given, os.X_OK) and Path(given).is_file():
            return given, f"{name}: {given} (from {variable})"
        return None, f"{name} skipped: {variable}={given} is not an executable; install it with `{INSTALL}`"
    for candidate in (str(VENVS / name / "bin" / exe), shutil.which(exe)):
        if candidate and os.access(candidate, os.X_OK) and Path(candidate).is_file():
            return candidate, f"{name}: {candidate}"
    return None, f"{name} skipped: not installed (no {variable}, {VENVS / name}, or `{exe}` on PATH); install it with `{INSTALL}`"


def environment(exe: str, **extra: str) -> dict[str, str]:
    """The bench's environment with the executable's folder first on PATH (nbgrader calls `alembic` by name)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PATH"] = f"{Path(exe).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


def executed(path: Path) -> bool:
    """Whether every code cell of the notebook ran, without an error."""
    notebook = nbformat.read(path, as_version=4)
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    errors = [output for cell in cells for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    return all(cell.get("execution_count") for cell in cells) and not errors


class Nbgrader(Comparison):
    def __init__(self, exe: str, notebooks: list[Path], root: Path, cell_timeout: int) -> None:
        root.mkdir(parents=True)
        kernel = root / "jupyter" / "kernels" / "python3"
        kernel.mkdir(parents=True)
        # The kernel bare nbclient gets: this interpreter's ipykernel, whatever nbgrader's environment holds.
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        (kernel / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}))
        super().__init__("nbgrader autograde -j 1", 1, root, environment(exe, JUPYTER_PATH=str(root / "jupyter")))
        self.exe = exe
        self.students = [path.stem for path in notebooks]
        config = [
            "c = get_config()",
            'c.CourseDirectory.course_id = "bench"',
            f"c.CourseDirectory.root = {str(root)!r}",
            f"c.Execute.timeout = {cell_timeout}  # the rubric's cell limit, as the bare run has it",
        ]
        (root / "nbgrader_config.py").write_text("\n".join(config) + "\n")
        (root / "source" / "tiny").mkdir(parents=True)
        shutil.copy(notebooks[0], root / "source" / "tiny" / "tiny.ipynb")
        for student, notebook in zip(self.students, notebooks):
            (root / "submitted" / student / "tiny").mkdir(parents=True)
            shutil.copy(notebook, root / "submitted" / student / "tiny" / "tiny.ipynb")
        (root / "students.csv").write_text("id\n" + "".join(f"{student}\n" for student in self.students))
        for setup in (["generate_assignment", "tiny", "--force"], ["db", "student", "import", "students.csv"]):
            subprocess.run([exe, *setup], cwd=root, env=self.env, check=True, capture_output=True)

    def command(self, repetition: int) -> list[str]:
        shutil.rmtree(self.cwd / "autograded", ignore_errors=True)  # before the clock starts: check() then reads this run's
        return [self.exe, "autograde", "tiny", "--force"]

    def check(self, repetition: int) -> None:
        for student in self.students:
            path = self.cwd / "autograded" / student / "tiny" / "tiny.ipynb"
            if not path.is_file() or not executed(path):
                sys.exit(f"nbgrader did not execute {student}'s notebook cleanly: {path}")


class Otter(Comparison):
    def __init__(self, exe: str, notebooks: list[Path], root: Path, jobs: int) -> None:
        (root / "tests").mkdir(parents=True)
        for name, code in OTTER_TESTS.items():
            case = {"code": code, "hidden": False, "locked": False}
            test = {"name": name, "points": 1, "suites": [{"cases": [case], "scored": True, "setup": "", "teardown": "", "type": "doctest"}]}
            (root / "tests" / f"{name}.py").write_text(f"OK_FORMAT = True\ntest = {test!r}\n")
        super().__init__(f"otter run -j {jobs}", jobs, root, environment(exe))
        self.exe, self.notebooks = exe, notebooks
        options = ["--no-requirements", "--no-environment", "--no-config"]
        subprocess.run([exe, "generate", "-t", "tests", "-o", "autograder.zip", *options], cwd=root, env=self.env, check=True, capture_output=True)

    def command(self, repetition: int) -> list[str]:
        out = str(self.cwd / f"out-{repetition}")
        return [sys.executable, "-c", OTTER_DRIVER, self.exe, "autograder.zip", out, str(self.jobs), *map(str, self.notebooks)]

    def check(self, repetition: int) -> None:
        for notebook in self.notebooks:
            path = self.cwd / f"out-{repetition}" / notebook.stem / "results.json"
            tests = json.loads(path.read_text())["tests"] if path.is_file() else []
            scores = {test["name"]: test.get("score") for test in tests}
            if any(scores.get(name) != 1 for name in OTTER_TESTS):
                sys.exit(f"Otter did not grade {notebook.name} fully ({scores or 'no results'}): {path}")


def comparisons(notebooks: list[Path], root: Path, cell_timeout: int) -> tuple[list[Comparison], list[str]]:
    """The installed comparison systems, set up on ``notebooks`` under ``root``, and one note per system."""
    found: list[Comparison] = []
    notes = []
    nbgrader, note = find("nbgrader", "nbgrader", "BENCH_NBGRADER")
    notes.append(note)
    if nbgrader:
        found.append(Nbgrader(nbgrader, notebooks, root / "nbgrader", cell_timeout))
    otter, note = find("otter", "otter", "BENCH_OTTER")
    notes.append(note)
    if otter:
        found.append(Otter(otter, notebooks, root / "otter", jobs=2))
    return found, notes
