"""A sandbox that runs nothing: it writes canned artifacts and reports a canned ending.

For tests of what the pipeline decides on a given outcome (OOM, timeout, a rejected artifact) without
starting a kernel. Each such test sits beside a real test of the same path with ``LocalSandbox``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.sandbox.base import Sandbox, SandboxOutcome
from grader.settings import Limits


class FakeSandbox(Sandbox):
    """Writes ``probes`` (name -> probe JSON record) and ``run`` (run.json record), returns ``status``."""

    name = "fake"

    def __init__(
        self,
        status: str = "exited",
        probes: dict[str, dict[str, Any]] | None = None,
        run: dict[str, Any] | None = None,
        write: Callable[[Path], None] | None = None,
    ) -> None:
        self.status = status
        self.probes = probes or {}
        self.run_record = run if run is not None else {"finished": True}
        self.write = write
        self.jobs: list[Path] = []

    def run(self, job_dir: Path, limits: Limits, wall_limit: float) -> SandboxOutcome:
        self.jobs.append(job_dir)
        out = job_dir / "out" / "probes"
        out.mkdir(parents=True, exist_ok=True)
        (job_dir / "out" / "run.json").write_text(json.dumps(self.run_record))
        for name, record in self.probes.items():
            (out / f"{name}.json").write_text(json.dumps(record))
        if self.write:
            self.write(job_dir)
        return SandboxOutcome(status=self.status, exit_code=0 if self.status == "exited" else None, wall_s=0.0, backend="fake")
