"""Benchmark: what the local sandbox costs, and what -j 2 buys. Prints ratios, asserts nothing.

    python bench/bench_sandbox.py [N]
    python bench/bench_sandbox.py N --against OLD_CHECKOUT   # e.g. git archive 7282ca2 | tar -x -C /tmp/old

- overhead: median wall time of a trivial notebook graded through the sandbox (bubblewrap root,
  cgroup, pooled uid, runner, probe runtime) divided by the same notebook run by plain nbclient here.
- parallel: wall time of a batch of N trivial notebooks with -j 1 divided by -j 2.
- against: per-submission grading time of this tree's sandbox divided by another checkout's (the
  sandbox before a change), runs interleaved one by one so that both see the same machine load.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader import api  # noqa: E402
from grader.pipeline import Submission, grade_submission  # noqa: E402
from grader.rubric import load_assignment  # noqa: E402
from grader.sandbox.local import LocalSandbox  # noqa: E402
from tests.conftest import GOOD_CELLS, make_tiny_course, tiny_reference, write_notebook  # noqa: E402

ONE_GRADING = """
import json, shutil, sys, tempfile, time
from pathlib import Path
from grader.pipeline import Submission, grade_submission
from grader.rubric import load_assignment
from grader.sandbox.local import LocalSandbox
from tests.conftest import GOOD_CELLS, make_tiny_course, tiny_reference, write_notebook
root = Path(tempfile.mkdtemp(dir='/var/tmp'))
assignment = load_assignment('tiny', make_tiny_course(root))
notebook = write_notebook(root / 'one.ipynb', GOOD_CELLS)
sandbox = LocalSandbox()
started = time.monotonic()
result, _ = grade_submission(Submission('one', notebook), assignment, sandbox, reference=tiny_reference(assignment))
print(json.dumps({'seconds': time.monotonic() - started, 'score': result.score, 'sandbox': result.run.sandbox, 'timings': result.run.timings}))
shutil.rmtree(root, ignore_errors=True)
"""


def one_grading(checkout: Path) -> dict:
    """One trivial submission graded by the sandbox of ``checkout``, timed inside (imports excluded)."""
    done = subprocess.run(
        [sys.executable, "-c", ONE_GRADING],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(checkout)},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def against(count: int, old: Path) -> None:
    new = Path(__file__).resolve().parents[1]
    times: dict[str, list[float]] = {"new": [], "old": []}
    for _ in range(count):
        for label, checkout in (("new", new), ("old", old)):
            run = one_grading(checkout)
            assert run["score"] == 9, run
            times[label].append(run["seconds"])
            phases = ", ".join(f"{name} {value:.2f}" for name, value in run["timings"].items())
            print(f"{label}: {run['seconds']:.2f} s ({phases}; {run['sandbox']})")
    new_median, old_median = statistics.median(times["new"]), statistics.median(times["old"])
    print(f"per submission: this tree median {new_median:.2f} s, {old} median {old_median:.2f} s")
    print(f"overhead ratio (this sandbox / old sandbox): {new_median / old_median:.2f}")


def main(count: int = 6) -> None:
    root = Path(tempfile.mkdtemp())
    course = make_tiny_course(root)
    assignment = load_assignment("tiny", course)
    notebook = write_notebook(root / "one.ipynb", GOOD_CELLS)
    sandbox = LocalSandbox()
    reference = tiny_reference(assignment)
    plain, sandboxed = [], []
    for _ in range(count):
        started = time.monotonic()
        NotebookClient(nbformat.read(notebook, as_version=4), kernel_name="python3", shutdown_kernel="immediate").execute()
        plain.append(time.monotonic() - started)
        started = time.monotonic()
        grade_submission(Submission("one", notebook), assignment, sandbox, reference=reference)
        sandboxed.append(time.monotonic() - started)
    print(f"plain nbclient run:     median {statistics.median(plain):.2f} s")
    print(f"sandboxed grading run:  median {statistics.median(sandboxed):.2f} s")
    print(f"overhead ratio (sandboxed / plain): {statistics.median(sandboxed) / statistics.median(plain):.2f}")
    for index in range(count):
        write_notebook(root / "batch" / f"s{index}.ipynb", GOOD_CELLS)
    timings = {}
    for jobs in (1, 2):
        started = time.monotonic()
        api.grade(root / "batch", "tiny", root / f"out{jobs}", jobs=jobs, course=course, progress=False)
        timings[jobs] = time.monotonic() - started
    print(f"batch of {count}: -j 1 {timings[1]:.1f} s, -j 2 {timings[2]:.1f} s; speed-up ratio {timings[1] / timings[2]:.2f}")


if __name__ == "__main__":
    if "--against" in sys.argv:
        against(int(sys.argv[1]), Path(sys.argv[sys.argv.index("--against") + 1]).resolve())
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 6)
