"""How one code cell ended: written by the runner inside the sandbox, read by the host's models.

Its own module because the runner must not import pydantic (``grader.execution.job`` holds the models).
"""

from __future__ import annotations

from enum import Enum


class CellStatus(str, Enum):
    """How one code cell of the student's notebook ended (written by the runner, re-exported by results)."""

    ok = "ok"
    error = "error"
    timeout = "timeout"
    kernel_died = "kernel_died"
    skipped = "skipped"
