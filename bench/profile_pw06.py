"""Where the time goes when one PW06 notebook is graded: prints seconds per phase and their shares.

    python bench/profile_pw06.py [NOTEBOOK]   (default: the reference solution)

Phases: kernel start, TF import (the first cell importing tensorflow), training (the longest cells),
other cells, probes, sandbox set-up/tear-down, and host-side judging (incl. the autodiff formula).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from grader import api  # noqa: E402
from grader.pipeline import Submission, grade_submission  # noqa: E402
from grader.rubric import load_assignment  # noqa: E402


def main() -> None:
    assignment = load_assignment("pw06-mlp", REPO)
    notebook = Path(sys.argv[1]) if len(sys.argv) > 1 else assignment.reference_notebook
    sandbox = api._sandbox(assignment, "local", None, [])
    started = time.monotonic()
    result, _ = grade_submission(Submission(notebook.stem, notebook), assignment, sandbox, is_reference=True)
    total = time.monotonic() - started
    run = result.run
    import nbformat

    cells = nbformat.read(notebook, as_version=4).cells
    imports = sum(c.duration_s for c in run.cells if "import tensorflow" in cells[c.index].source)
    durations = sorted(run.cells, key=lambda c: c.duration_s, reverse=True)
    training = sum(c.duration_s for c in durations[:2])
    cells_total = run.timings.get("cells", 0.0)
    phases = {
        "kernel start": run.timings.get("kernel_start", 0.0),
        "TF import": imports,
        "training (2 longest cells)": training,
        "other cells": max(cells_total - imports - training, 0.0),
        "probes": run.timings.get("probes", 0.0),
        "sandbox set-up/tear-down": run.timings.get("sandbox_wall", 0.0) - run.timings.get("total", 0.0),
        "host: judging + job files": total - run.timings.get("sandbox_wall", 0.0),
    }
    print(f"{notebook.name}: score {result.score:g}/{result.max_score:g}, total {total:.1f} s")
    for name, seconds in phases.items():
        print(f"  {name:28s} {seconds:6.1f} s  {seconds / total:6.1%}")


if __name__ == "__main__":
    main()
