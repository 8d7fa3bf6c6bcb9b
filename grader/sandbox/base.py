"""One abstract sandbox: run a prepared job folder under limits, report how it ended.

A backend's only job is ``run``: execute ``python -m grader.execution.runner JOB`` on the job folder
confined by ``Limits`` and a wall-clock limit, and return a ``SandboxOutcome``. It never interprets the
artifacts; the pipeline does that. Backends: ``local`` (process sandbox: bubblewrap allow-list root,
a cgroup per job, pooled uids), ``docker`` (one fresh container per job) and ``fake`` (canned outcomes, for tests of the
pipeline's decisions, always beside a real test of the same path).
"""

from __future__ import annotations

import abc
import threading
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from grader.settings import Limits


class SandboxOutcome(BaseModel):
    """How the sandboxed process ended (not whether the student's code was right)."""

    status: Literal["exited", "timeout", "oom", "crashed"] = Field(
        description="exited: the runner ended by itself; timeout/oom: the sandbox killed it; crashed: it could not start or died by a signal."
    )
    exit_code: int | None = Field(None, description="Exit code of the runner, when it exited.")
    wall_s: float = Field(description="Seconds the sandbox ran.")
    log_tail: str = Field("", description="Last lines the runner printed (for TAs debugging the grader, not shown to students).")
    backend: str = Field(description="Backend name and the isolation it applied, e.g. 'local (netns, pidns, uid 60123)'.")
    peak_memory_mb: float | None = Field(None, description="Highest resident memory seen, where the backend measures it.")
    cpu_s: float | None = Field(
        None,
        ge=0,
        description="CPU seconds (user + system) used by every process of the job, from its control group; None where the backend cannot measure it. Unlike wall time it does not grow when the machine is loaded.",
    )


class Sandbox(abc.ABC):
    """Runs one job folder in isolation."""

    name: str = "abstract"

    @abc.abstractmethod
    def run(self, job_dir: Path, limits: Limits, wall_limit: float) -> SandboxOutcome:
        """Run the job in ``job_dir``; artifacts land in ``job_dir/out``. Must not raise for student faults."""

    def describe(self) -> str:
        return self.name


class Throttled(Sandbox):
    """At most ``slots`` runs of ``inner`` at once, however many host threads call it.

    The batch gives the pool one thread more than ``-j``: while a thread judges a finished submission
    (loading, host-side evaluation, reports) the next submission's sandbox already runs, so ``-j 1``
    keeps one notebook running all the time instead of pausing it for every judgement.
    """

    def __init__(self, inner: Sandbox, slots: int) -> None:
        self.inner = inner
        self.name = inner.name
        self._slots = threading.BoundedSemaphore(max(1, slots))

    def run(self, job_dir: Path, limits: Limits, wall_limit: float) -> SandboxOutcome:
        with self._slots:
            return self.inner.run(job_dir, limits, wall_limit)

    def describe(self) -> str:
        return self.inner.describe()
