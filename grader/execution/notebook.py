"""Running the notebook's cells in a kernel, for grading: errors do not stop the run, hangs are cut.

Each cell runs under two caps: CPU seconds of the kernel's process tree (what the rubric's budgets count,
and what a busy machine does not inflate) and a wall-clock cap (for code that waits without computing).
A cell over either is interrupted; a kernel deaf to the interrupt is given up on here, and the runner
checks whether it still answers, else restarts it. The student's output is never read (see
``grader.execution.kernel``): only how each cell ended.

Runs inside the sandbox: standard library and the kernel client only.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import NamedTuple

from grader.execution.cputime import tree_cpu_seconds
from grader.execution.kernel import Kernel, KernelDied, KernelTimeout
from grader.execution.status import CellStatus

KERNEL_DIED = "the kernel died (the process exited or was killed)"
CPU_POLL_S = 0.25  # how often a running cell's CPU time is read
INTERRUPT_GRACE_S = 5.0  # after an interrupt, how long the kernel gets to stop before the cell is given up


class CellRun(NamedTuple):
    """How one executed cell ended."""

    status: CellStatus
    error: str | None
    duration_s: float
    cpu_s: float = 0.0


def code_cells(path: Path) -> list[tuple[int, str]]:
    """(index, source) of the notebook's non-empty code cells, read as plain JSON (the host sanitized it)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for index, cell in enumerate(notebook.get("cells", [])):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "code" and source.strip():
            cells.append((index, source))
    return cells


def trim_error(name: str, value: str, limit: int = 600) -> str:
    """Name and message, shortened in the middle: TensorFlow puts the useful line at the end."""
    text = f"{name}: {value}".strip()
    return text if len(text) <= limit else text[:150] + " ... " + text[-(limit - 155) :]


def run_cell(kernel: Kernel, source: str, timeout: float, cpu_budget: float | None = None) -> CellRun:
    """Execute one cell; return its status, the trimmed error, its duration and CPU seconds. Never raises for student faults.

    ``timeout`` is the wall-clock cap. With ``cpu_budget`` the cell is also interrupted once the kernel's process
    tree has used that many CPU seconds during it: CPU time does not grow when the machine is busy, wall time does.
    """
    started = time.monotonic()
    pid = kernel.pid
    cpu_start = tree_cpu_seconds(pid) if pid else 0.0

    def cpu() -> float:
        return max(tree_cpu_seconds(pid) - cpu_start, 0.0) if pid else 0.0

    def ended(status: CellStatus, error: str | None) -> CellRun:
        return CellRun(status, error, time.monotonic() - started, cpu())

    try:
        msg_id = kernel.execute(source)
    except Exception:  # noqa: BLE001 - no channel to the kernel (it died during a restart): the cell did not run
        return ended(CellStatus.kernel_died, KERNEL_DIED)
    wall_deadline = started + max(timeout, 0.01)
    interrupted_at: float | None = None
    why = deaf = ""  # the reason once interrupted, and the reason if the kernel ignores the interrupt
    while True:
        now = time.monotonic()
        wait = min(CPU_POLL_S, wall_deadline - now) if interrupted_at is None else INTERRUPT_GRACE_S - (now - interrupted_at)
        try:
            reply = kernel.reply(msg_id, max(wait, 0.01))
            break
        except KernelDied:
            return ended(CellStatus.kernel_died, KERNEL_DIED)
        except KernelTimeout:
            pass
        if interrupted_at is not None:
            if time.monotonic() - interrupted_at >= INTERRUPT_GRACE_S:
                # Deaf to SIGINT: the runner checks it still answers, else restarts it.
                return ended(CellStatus.timeout, deaf)
            continue
        if cpu_budget is not None and cpu() > cpu_budget:
            why = deaf = f"used more than its budget of {cpu_budget:g} CPU seconds and was interrupted"
        elif time.monotonic() >= wall_deadline:
            deaf = f"did not finish within {int(timeout)} s of wall-clock time, its cap"
            why = f"{deaf}, and was interrupted"
        else:
            continue
        interrupted_at = time.monotonic()
        kernel.interrupt()
    if why:
        return ended(CellStatus.timeout, why)
    if reply.get("status") == "error":
        return ended(CellStatus.error, trim_error(str(reply.get("ename", "Error")), str(reply.get("evalue", ""))))
    return ended(CellStatus.ok, None)


def responsive(kernel: Kernel, timeout: float = 10) -> bool:
    """True when the kernel answers a trivial cell: after a timeout, an interrupt may not have worked."""
    return run_cell(kernel, "pass", timeout).status == CellStatus.ok
