"""The program that runs *inside* the sandbox: student cells, then the rubric's probes.

    python -m grader.execution.runner JOB_DIR

It runs every code cell in a fresh kernel, each with the per-cell budget, until the notebook budget
is spent (cells after that are skipped, so probes still get their time). Budgets count CPU seconds of
the kernel's process tree, which a busy machine does not inflate; a wall-clock cap ``wall_factor`` times
larger ends cells that wait without computing. A cell that raises does not stop the run; a cell that
hangs is interrupted and, if the kernel stays deaf, the kernel is restarted; a dead kernel is restarted. Then it injects the probe runtime and runs each probe as a cell with its own
timeout. ``out/run.json`` is rewritten after every step so a killed run still leaves an account.
Its output is untrusted by design: the host re-validates all of it.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

import nbformat

from grader.execution.job import CellArtifact, CellStatus, JobSpec, RunArtifact
from grader.execution.notebook import TIMEOUT_MARK, GradingClient, responsive, restart, run_cell, run_extra


def _write(path: Path, record: RunArtifact) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(record.model_dump_json())
    os.replace(temporary, path)


async def _recover(client: GradingClient, status: CellStatus, spec: JobSpec, record: RunArtifact) -> None:
    if status == CellStatus.kernel_died or (status == CellStatus.timeout and not await responsive(client)):
        await restart(client, spec.kernel_start_timeout)
        record.kernel_restarts += 1


async def run_job(job_dir: Path) -> RunArtifact:
    spec = JobSpec.model_validate_json((job_dir / "job.json").read_text())
    out_dir = job_dir / "out"
    (out_dir / "probes").mkdir(parents=True, exist_ok=True)
    run_json = out_dir / "run.json"
    record = RunArtifact()
    notebook = nbformat.read(job_dir / "notebook.ipynb", as_version=4)
    client = GradingClient(
        notebook,
        timeout=int(spec.cell_timeout * spec.wall_factor),
        startup_timeout=int(spec.kernel_start_timeout),
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": TIMEOUT_MARK, "evalue": "cell timed out"},
        kernel_name="python3",
        shutdown_kernel="immediate",
        output_chars=spec.output_chars,
        resources={"metadata": {"path": str(job_dir / "work")}},
    )
    started = time.monotonic()
    async with client.async_setup_kernel():
        record.timings["kernel_start"] = time.monotonic() - started
        _write(run_json, record)
        cells_started = time.monotonic()
        cpu_spent = 0.0
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            cpu_left = spec.notebook_timeout - cpu_spent
            wall_left = spec.notebook_timeout * spec.wall_factor - (time.monotonic() - cells_started)
            if cpu_left < 0.5 or wall_left < 1:
                spent = f"CPU budget ({spec.notebook_timeout:g} CPU seconds)" if cpu_left < 0.5 else f"wall-clock cap ({spec.notebook_timeout * spec.wall_factor:g} s)"
                record.cells.append(CellArtifact(index=index, status=CellStatus.skipped, error=f"the notebook's {spent} was spent"))
                continue
            ran = await run_cell(client, cell, index, min(spec.cell_timeout * spec.wall_factor, wall_left), min(spec.cell_timeout, cpu_left))
            cpu_spent += ran.cpu_s
            record.cells.append(CellArtifact(index=index, status=ran.status, duration_s=ran.duration_s, cpu_s=ran.cpu_s, error=ran.error))
            _write(run_json, record)
            await _recover(client, ran.status, spec, record)
        record.timings["cells"] = time.monotonic() - cells_started
        record.timings["cells_cpu"] = cpu_spent

        probes_started = time.monotonic()
        runtime = (Path(__file__).parent / "probe_runtime.py").read_text()
        install = (
            f"{runtime}\n__grader_probe__ = __grader_install({str(out_dir / 'probes')!r}, {str(job_dir / 'inputs')!r}, "
            f"{(job_dir / 'probes.py').read_text()!r}, {spec.max_artifact_bytes})\ndel __grader_install"
        )
        for _attempt in range(2):  # a stray signal from the student's processes must not cost every probe
            status, error, *_ = await run_extra(client, install, spec.kernel_start_timeout * spec.wall_factor)
            if status == CellStatus.ok:
                break
        if status != CellStatus.ok:
            # The student's state broke the runtime itself (e.g. numpy shadowed); probes will report missing data.
            record.runtime_error = error
            await _recover(client, status, spec, record)
        for probe in spec.probes:
            status, error, duration, _ = await run_extra(client, f"__grader_probe__({probe.name!r}, {probe.function!r}, {tuple(probe.forbid_imports)!r})", probe.timeout * spec.wall_factor, probe.timeout)
            record.probes[probe.name] = duration
            if status != CellStatus.ok:
                artifact = out_dir / "probes" / f"{probe.name}.json"
                if not os.path.lexists(artifact):  # never follow: the student may have planted a link there
                    artifact.write_text(json.dumps({"ok": False, "error": f"the probe {error}"}))
                await _recover(client, status, spec, record)
            _write(run_json, record)
        record.timings["probes"] = time.monotonic() - probes_started
    record.timings["total"] = time.monotonic() - started
    record.finished = True
    _write(run_json, record)
    return record


def main() -> None:
    asyncio.run(run_job(Path(sys.argv[1])))


if __name__ == "__main__":
    main()
