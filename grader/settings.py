"""Settings as value objects with defaults: time limits and resource limits of one sandboxed run.

Usage::

    Timeouts(cell=60, notebook=600)          # per-cell and whole-notebook budgets, CPU seconds (wall caps 4x)
    Limits(memory_mb=4096, processes=256)    # what the sandbox enforces

A rubric carries both (``timeouts:`` and ``resources:``); the CLI may tighten them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Timeouts(BaseModel):
    """Time budgets for one submission's run.

    Cell, notebook and probe budgets count CPU seconds of the kernel's process tree (all cores together), which
    do not grow when the machine is busy; each also has a wall-clock cap ``wall_factor`` times larger, for code
    that waits without computing. Kernel start and grace are wall-clock seconds.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    cell: float = Field(60, gt=0, description="CPU seconds one student cell may use before it is interrupted.")
    notebook: float = Field(600, gt=0, description="CPU seconds all student cells may use together; cells past it are skipped.")
    probe: float = Field(60, gt=0, description="CPU seconds one rubric probe may use in the student's kernel.")
    wall_factor: float = Field(4, ge=1, description="Wall-clock caps of cells, the notebook and probes are their CPU budgets times this (several times larger, so load never reaches them).")
    kernel_start: float = Field(60, gt=0, description="Longest the kernel may take to start.")
    grace: float = Field(30, ge=0, description="Extra time past all budgets before the sandbox is killed outright.")


class Limits(BaseModel):
    """Resources the sandbox grants one submission."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    memory_mb: int = Field(4096, gt=0, description="Resident memory of all sandboxed processes together; over it the run is killed (OOM).")
    cpus: float = Field(2, gt=0, description="CPU cores the sandbox may use (Docker enforces it; the local sandbox caps CPU time).")
    processes: int = Field(256, gt=0, description="Most processes/threads the sandboxed user may own.")
    file_size_mb: int = Field(256, gt=0, description="Largest single file the sandbox may write.")
    scratch_mb: int = Field(1024, gt=0, description="Size of the writable scratch space (tmpfs) where the backend provides one.")
    output_chars: int = Field(20000, gt=0, description="Stream output kept per cell; the rest is dropped.")
    artifact_bytes: int = Field(64 * 1024 * 1024, gt=0, description="Largest probe artifact (JSON or npz) accepted from the sandbox.")
    gpu: int = Field(0, ge=0, description="GPUs to request (Docker backend, NVIDIA runtime); 0 means none.")
