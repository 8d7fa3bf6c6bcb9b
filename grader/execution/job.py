"""The job folder handed to a sandbox, and the models of what the sandbox writes back.

Layout (the host writes everything but ``out/`` and ``work/``)::

    job.json          JobSpec: what the runner must execute
    notebook.ipynb    the sanitized student notebook
    probes.py         the rubric's probe functions (staff code, run in the student's kernel)
    inputs/<probe>.npz  grader-chosen inputs (never labels)
    data/             datasets the rubric declares, evaluation labels removed
    work/             the kernel's working directory (the student's files)
    out/run.json      RunArtifact, rewritten after every cell (so a killed run still reports)
    out/probes/<probe>.json|.npz   ProbeArtifact and its arrays

Everything under ``out/`` is untrusted: the host reads it with ``grader.execution.artifacts``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from grader.execution.status import CellStatus

__all__ = ["CellArtifact", "CellStatus", "JobSpec", "ProbeArtifact", "ProbeCall", "RunArtifact"]


class ProbeCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Probe name (file name of its artifacts).", pattern=r"^[A-Za-z0-9_]+$")
    function: str = Field(description="Function in probes.py.", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    timeout: float = Field(description="CPU seconds the probe may use (its wall-clock cap is this times the job's wall_factor).")
    forbid_imports: list[str] = Field(default_factory=list, description="Packages the student's code may not use while this probe calls it (by-hand exercises).")


class JobSpec(BaseModel):
    """What the runner inside the sandbox executes."""

    model_config = ConfigDict(extra="forbid")

    cell_timeout: float = Field(description="CPU seconds one student cell may use (the kernel's process tree, all cores together).")
    notebook_timeout: float = Field(description="CPU seconds all student cells may use together.")
    wall_factor: float = Field(4.0, ge=1, description="Wall-clock caps are the CPU budgets times this: a cell that waits without computing still ends.")
    kernel_start_timeout: float = Field(description="Seconds the kernel may take to start.")
    output_chars: int = Field(description="Stream output kept per cell.")
    max_artifact_bytes: int = Field(description="Largest artifact the probe runtime writes.")
    probes: list[ProbeCall] = Field(default_factory=list, description="Probes to run after the student's cells, in order.")


class CellArtifact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    index: int = Field(ge=0, description="Cell index in the notebook.")
    status: CellStatus = Field(description="How the cell ended.")
    duration_s: float = Field(0.0, ge=0, description="Seconds it ran.")
    cpu_s: float = Field(0.0, ge=0, description="CPU seconds the kernel's process tree used while it ran.")
    error: str | None = Field(None, max_length=2000, description="Exception name and message, trimmed.")


class RunArtifact(BaseModel):
    """run.json: the runner's account of the run (informative; verdicts never rest on it)."""

    model_config = ConfigDict(extra="forbid")

    finished: bool = Field(False, description="True once the runner reached its end.")
    cells: list[CellArtifact] = Field(default_factory=list, description="Cells executed so far.")
    probes: dict[str, float] = Field(default_factory=dict, description="Seconds each probe took.")
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per phase.")
    kernel_restarts: int = Field(0, ge=0, description="Times the kernel was restarted after dying or hanging.")
    runtime_error: str | None = Field(None, max_length=2000, description="Why the probe runtime could not be installed in the kernel, if it could not.")


JSONScalar = bool | int | float | str | None


class ProbeArtifact(BaseModel):
    """probes/<name>.json: one probe's plain data, or why it produced none."""

    model_config = ConfigDict(extra="forbid")

    ok: bool = Field(description="True when the probe function returned.")
    error: str | None = Field(None, max_length=2000, description="Exception name and message when it did not.")
    values: dict[str, JSONScalar | list[Any]] = Field(default_factory=dict, description="Scalars, strings and short lists.")
    arrays: list[str] = Field(default_factory=list, description="Keys stored in probes/<name>.npz.")
