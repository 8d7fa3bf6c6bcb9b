"""Benchmark: what grading costs beyond running the notebooks. Prints ratios, asserts nothing.

    python bench/bench_overhead.py [--work tiny|pw06|all] [--reps 3] [--tiny-count 16] [--docker]

For each batch (``tiny``: N small NumPy notebooks of the tiny course; ``pw06``: every PW06 sample) it runs,
in one go and alternating the systems within each repetition so a change of machine load hits all of them:

- bare nbclient, 1 and 2 notebooks at a time (the lower bound: no sandbox, no probes, no judging);
- ``grader grade -j 1`` and ``-j 2`` with the local sandbox (and Docker with ``--docker``), each into a
  fresh results folder;
- the unchanged re-grade (everything skipped);
- on the tiny batch, where installed: ``nbgrader autograde`` (one at a time, its only mode) and Otter's
  ``otter run`` (two at a time), each in its own virtual environment (``bash bench/install-comparisons.sh``;
  found through BENCH_NBGRADER / BENCH_OTTER, /opt/bench-venvs or PATH, skipped with a note otherwise;
  course layouts and checks that they really executed every notebook in bench/comparisons.py).

Each system runs as a child process; wall time is measured around it and CPU time from the children's
resource usage (every process it started and reaped) plus, for the grader, the CPU its jobs' control
groups counted (a job's processes live outside the tree that rusage sums). Printed per system: the median
wall time, the ratio to bare nbclient at the same parallelism, and CPU-seconds of overhead per submission
beyond the bare run's.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.comparisons import comparisons  # noqa: E402
from tests.conftest import make_tiny_course, write_notebook  # noqa: E402

TINY_CELLS = [
    ("import numpy as np\nrng = np.random.default_rng(0)\nA = rng.normal(size=(200, 200))", []),
    ("def double(x):\n    return float(np.sum(np.eye(1) * 2 * x))", ["ex1"]),
    ("def greeting():\n    return 'Hello ' + str(np.linalg.matrix_rank(A))", ["ex2"]),
]

BARE = """
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

def run(path, timeout):
    import nbformat
    from nbclient import NotebookClient
    notebook = nbformat.read(path, as_version=4)
    # The rubric's cell limit, errors recorded and the run going on: what the grader does with the same notebook.
    NotebookClient(notebook, kernel_name="python3", timeout=timeout, allow_errors=True, interrupt_on_timeout=True,
                   error_on_timeout={"ename": "Timeout", "evalue": "cell timed out"}, shutdown_kernel="immediate",
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()

if __name__ == "__main__":
    paths = sorted(str(p) for p in Path(sys.argv[1]).rglob("*.ipynb"))
    with ProcessPoolExecutor(int(sys.argv[2])) as pool:
        list(pool.map(run, paths, [int(sys.argv[3])] * len(paths)))
"""


def sandbox_cpu(out_dir: Path, since: float) -> float:
    """CPU seconds the sandboxes of one grader run used, from each result written since ``since``.

    A job runs in its own control group, outside the process tree that ``RUSAGE_CHILDREN`` sums, so
    the grader's own rusage misses the kernels; each result records its group's CPU (``sandbox_cpu``).
    """
    import json

    total = 0.0
    for path in out_dir.glob("*/*.json"):
        if path.stat().st_mtime < since or path.name.startswith("."):
            continue
        try:
            run = json.loads(path.read_text()).get("run") or {}
        except (ValueError, AttributeError):
            continue
        total += float((run.get("timings") or {}).get("sandbox_cpu", 0.0))
    return total


def measure(command: list[str], env: dict | None = None, out_dir: Path | None = None, cwd: Path = REPO) -> tuple[float, float]:
    """(wall seconds, CPU seconds of every process it started: reaped children and the jobs' control groups)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    since = time.time()
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    jobs = sandbox_cpu(out_dir, since) if out_dir is not None else 0.0
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime) + jobs


def batches(work: str, root: Path, tiny_count: int) -> dict[str, tuple[Path, str, Path | None]]:
    """name -> (submissions folder, assignment id, course folder or None for the repository)."""
    found = {}
    if work in ("tiny", "all"):
        course = make_tiny_course(root / "tiny")
        for index in range(tiny_count):
            write_notebook(root / "tiny" / "subs" / f"student{index:02d}.ipynb", TINY_CELLS)
        found["tiny"] = (root / "tiny" / "subs", "tiny", course)
    if work in ("pw06", "all"):
        folder = root / "pw06" / "subs"
        folder.mkdir(parents=True)
        for sample in sorted((REPO / "assignments" / "pw06-mlp" / "samples").glob("*.ipynb")):
            shutil.copy(sample, folder / sample.name)
        found["pw06"] = (folder, "pw06-mlp", None)
    return found


def systems(folder: Path, assignment: str, course: Path | None, out_root: Path, docker: bool) -> tuple[dict[str, tuple[int, callable]], dict]:
    """(name -> (parallelism, factory of the command for repetition r), name -> its Comparison for nbgrader/Otter)."""
    course_args = ["--course", str(course)] if course else []
    grade = [sys.executable, "-m", "grader", *course_args, "grade", str(folder), "-a", assignment]
    found: dict[str, tuple[int, callable]] = {}
    import yaml

    cell_timeout = int(yaml.safe_load(((course or REPO) / "rubrics" / f"{assignment}.yaml").read_text())["timeouts"]["cell"])
    for jobs in (1, 2):
        found[f"bare nbclient -j {jobs}"] = (jobs, lambda r, jobs=jobs: [sys.executable, "-c", BARE, str(folder), str(jobs), str(cell_timeout)])
        found[f"grader local -j {jobs}"] = (jobs, lambda r, jobs=jobs: [*grade, "--out", str(out_root / f"local{jobs}-{r}"), "-j", str(jobs), "--sandbox", "local"])
        if docker:
            found[f"grader docker -j {jobs}"] = (jobs, lambda r, jobs=jobs: [*grade, "--out", str(out_root / f"docker{jobs}-{r}"), "-j", str(jobs), "--sandbox", "docker"])
    found["grader unchanged re-grade -j 2"] = (2, lambda r: [*grade, "--out", str(out_root / f"local2-{r}"), "-j", "2", "--sandbox", "local"])
    others = {}
    if assignment == "tiny":  # the others' courses hold the tiny notebooks only
        setups, notes = comparisons(sorted(folder.glob("*.ipynb")), out_root / "comparisons", cell_timeout)
        print("\n".join(notes))
        others = {other.name: other for other in setups}
        found.update({other.name: (other.jobs, other.command) for other in setups})
    return found, others


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", choices=["tiny", "pw06", "all"], default="tiny")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--tiny-count", type=int, default=16)
    parser.add_argument("--docker", action="store_true", help="also the Docker sandbox (needs an engine and `grader image build`)")
    options = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    try:
        for name, (folder, assignment, course) in batches(options.work, root, options.tiny_count).items():
            count = len(list(folder.glob("*.ipynb")))
            table, others = systems(folder, assignment, course, root / f"{name}-out", options.docker)
            walls: dict[str, list[float]] = {system: [] for system in table}
            cpus: dict[str, list[float]] = {system: [] for system in table}
            for repetition in range(options.reps):
                order = list(table) if repetition % 2 == 0 else list(reversed(table))
                # The re-grade needs its first run: keep it after "grader local -j 2" whatever the order.
                order.remove("grader unchanged re-grade -j 2")
                order.insert(order.index("grader local -j 2") + 1, "grader unchanged re-grade -j 2")
                for system in order:
                    command = table[system][1](repetition)
                    out_dir = Path(command[command.index("--out") + 1]) if "--out" in command else None
                    if system in others:
                        wall, cpu = measure(command, env=others[system].env, cwd=others[system].cwd)
                        others[system].check(repetition)
                    else:
                        wall, cpu = measure(command, env={**os.environ, "PYTHONPATH": str(REPO)}, out_dir=out_dir)
                    walls[system].append(wall)
                    cpus[system].append(cpu)
            print(f"\n{name}: {count} submissions, {options.reps} repetitions, medians")
            print(f"{'system':34} {'wall s':>8} {'ratio':>7} {'CPU s':>8} {'overhead CPU-s/sub':>19}")
            first_run = statistics.median(walls["grader local -j 2"])
            for system, (jobs, _) in table.items():
                wall, cpu = statistics.median(walls[system]), statistics.median(cpus[system])
                bare_wall, bare_cpu = statistics.median(walls[f"bare nbclient -j {jobs}"]), statistics.median(cpus[f"bare nbclient -j {jobs}"])
                ratio = wall / (first_run if "re-grade" in system else bare_wall)
                # The re-grade is a share of the first run (target: at most 2 %), printed as such.
                shown = f"{ratio:7.1%}" if "re-grade" in system else f"{ratio:7.2f}"
                label = "of 1st run" if "re-grade" in system else ""
                overhead = "" if "re-grade" in system else f"{(cpu - bare_cpu) / count:19.2f}"
                print(f"{system:34} {wall:8.2f} {shown} {cpu:8.1f} {overhead:>19} {label}")
            for other in others:
                print(f"grader -j 2 is {statistics.median(walls[other]) / first_run:.2f}x faster than {other}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
