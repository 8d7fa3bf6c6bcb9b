"""The program that runs *inside* the sandbox: student cells, then the rubric's probes.

    python -m grader.execution.runner JOB_DIR

It runs every code cell in a fresh kernel, each with the per-cell budget, until the notebook budget
is spent (cells after that are skipped, so probes still get their time). Budgets count CPU seconds of
the kernel's process tree, which a busy machine does not inflate; a wall-clock cap ``wall_factor`` times
larger ends cells that wait without computing. A cell that raises does not stop the run; a cell that
hangs is interrupted and, if the kernel stays deaf, the kernel is restarted; a dead kernel is restarted.
Then it injects the probe runtime and runs each probe as a cell with its own timeout. ``out/run.json``
is rewritten after every step so a killed run still leaves an account.
Its output is untrusted by design: the host re-validates all of it. It imports only the standard
library and pyzmq (``grader.execution.kernel``): every job pays its start-up before the first cell.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from grader.execution.kernel import Kernel, KernelDied, KernelTimeout
from grader.execution.notebook import CellRun, code_cells, responsive, run_cell
from grader.execution.status import CellStatus


class Record:
    """out/run.json as the host's ``RunArtifact`` reads it (built here without pydantic: start-up cost)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict = {"finished": False, "cells": [], "probes": {}, "timings": {}, "kernel_restarts": 0, "runtime_error": None}

    def write(self) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.data))
        os.replace(temporary, self.path)

    def cell(self, index: int, status: CellStatus, error: str | None, duration_s: float = 0.0, cpu_s: float = 0.0) -> None:
        self.data["cells"].append({"index": index, "status": status.value, "duration_s": round(duration_s, 4), "cpu_s": round(cpu_s, 4), "error": error[:2000] if error else None})


def _recover(kernel: Kernel, ran: CellRun, spec: dict, record: Record) -> None:
    if ran.status == CellStatus.kernel_died or (ran.status == CellStatus.timeout and not responsive(kernel)):
        try:
            kernel.restart(spec["kernel_start_timeout"] * spec["wall_factor"])
        except (KernelDied, KernelTimeout):
            pass  # later cells find it dead and say so
        record.data["kernel_restarts"] += 1


def run_job(job_dir: Path) -> dict:
    started = time.monotonic()
    # The kernel starts first: it takes longest, and reading the job and the notebook overlaps with it.
    kernel = Kernel(cwd=str(job_dir / "work"))
    kernel.start()
    try:
        spec = json.loads((job_dir / "job.json").read_text())
        out_dir = job_dir / "out"
        (out_dir / "probes").mkdir(parents=True, exist_ok=True)
        record = Record(out_dir / "run.json")
        cells = code_cells(job_dir / "notebook.ipynb")
        wall_factor = spec["wall_factor"]
        kernel.wait_ready(spec["kernel_start_timeout"] * wall_factor)
        record.data["timings"]["kernel_start"] = time.monotonic() - started
        record.write()
        cells_started = time.monotonic()
        cpu_spent = 0.0
        for index, source in cells:
            cpu_left = spec["notebook_timeout"] - cpu_spent
            wall_left = spec["notebook_timeout"] * wall_factor - (time.monotonic() - cells_started)
            if cpu_left < 0.5 or wall_left < 1:
                spent = f"CPU budget ({spec['notebook_timeout']:g} CPU seconds)" if cpu_left < 0.5 else f"wall-clock cap ({spec['notebook_timeout'] * wall_factor:g} s)"
                record.cell(index, CellStatus.skipped, f"the notebook's {spent} was spent")
                continue
            ran = run_cell(kernel, source, min(spec["cell_timeout"] * wall_factor, wall_left), min(spec["cell_timeout"], cpu_left))
            cpu_spent += ran.cpu_s
            record.cell(index, ran.status, ran.error, ran.duration_s, ran.cpu_s)
            record.write()
            _recover(kernel, ran, spec, record)
        record.data["timings"]["cells"] = time.monotonic() - cells_started
        record.data["timings"]["cells_cpu"] = cpu_spent

        probes_started = time.monotonic()
        runtime = (Path(__file__).parent / "probe_runtime.py").read_text()
        install = (
            f"{runtime}\n__grader_probe__ = __grader_install({str(out_dir / 'probes')!r}, {str(job_dir / 'inputs')!r}, "
            f"{(job_dir / 'probes.py').read_text()!r}, {spec['max_artifact_bytes']})\ndel __grader_install"
        )
        for _attempt in range(2):  # a stray signal from the student's processes must not cost every probe
            ran = run_cell(kernel, install, spec["kernel_start_timeout"] * wall_factor)
            if ran.status == CellStatus.ok:
                break
        if ran.status != CellStatus.ok:
            # The student's state broke the runtime itself (e.g. numpy shadowed); probes will report missing data.
            record.data["runtime_error"] = ran.error
            _recover(kernel, ran, spec, record)
        for probe in spec["probes"]:
            call = f"__grader_probe__({probe['name']!r}, {probe['function']!r}, {tuple(probe.get('forbid_imports', []))!r})"
            ran = run_cell(kernel, call, probe["timeout"] * wall_factor, probe["timeout"])
            record.data["probes"][probe["name"]] = ran.duration_s
            if ran.status != CellStatus.ok:
                artifact = out_dir / "probes" / f"{probe['name']}.json"
                if not os.path.lexists(artifact):  # never follow: the student may have planted a link there
                    artifact.write_text(json.dumps({"ok": False, "error": f"the probe {ran.error}"}))
                _recover(kernel, ran, spec, record)
            record.write()
        record.data["timings"]["probes"] = time.monotonic() - probes_started
    finally:
        kernel.close()
    record.data["timings"]["total"] = time.monotonic() - started
    record.data["finished"] = True
    record.write()
    return record.data


def main() -> None:
    run_job(Path(sys.argv[1]))


if __name__ == "__main__":
    main()
