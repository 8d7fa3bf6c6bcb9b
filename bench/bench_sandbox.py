"""Benchmark: what the local sandbox costs, and what -j 2 buys. Prints ratios, asserts nothing.

    python bench/bench_sandbox.py [N]

- overhead: median wall time of a trivial notebook graded through the sandbox (namespaces, uid drop,
  runner, probe runtime) divided by the same notebook run by plain nbclient in this process.
- parallel: wall time of a batch of N trivial notebooks with -j 1 divided by -j 2.
"""

from __future__ import annotations

import statistics
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
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 6)
