"""nbclient, configured for grading: errors do not stop the run, output is capped, hangs are cut.

``GradingClient`` is nbclient's ``NotebookClient`` with one override, ``output``, because nbclient keeps
every output in memory and a student printing hundreds of MB must not take the runner down with it.
Everything else uses nbclient's own options and its ``on_cell_executed`` hook.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, NamedTuple

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from traitlets import Integer

from grader.execution.cputime import tree_cpu_seconds
from grader.execution.job import CellStatus

TIMEOUT_MARK = "GraderCellTimeout"
CPU_POLL_S = 0.25  # how often a running cell's CPU time is read
INTERRUPT_GRACE_S = 5.0  # after an interrupt for CPU, how long the kernel gets to stop before the cell is given up


class CellRun(NamedTuple):
    """How one executed cell ended."""

    status: CellStatus
    error: str | None
    duration_s: float
    cpu_s: float = 0.0


class GradingClient(NotebookClient):
    """A NotebookClient that drops stream output past ``output_chars`` per cell."""

    output_chars = Integer(20000, help="Characters of output kept per cell; the rest is dropped.").tag(config=True)

    def __init__(self, nb: NotebookNode, **kwargs: Any) -> None:
        super().__init__(nb, **kwargs)
        self._kept: dict[int, int] = {}
        self.last_reply: dict[str, Any] = {}
        self.on_cell_executed = self._remember_reply

    def _remember_reply(self, cell: NotebookNode, cell_index: int, execute_reply: dict) -> None:
        self.last_reply = execute_reply.get("content", {}) if execute_reply else {}

    def output(self, outs: list, msg: dict, display_id: str | None, cell_index: int) -> NotebookNode | None:
        content = msg.get("content", {})
        size = len(str(content.get("text", ""))) + len(str(content.get("data", "")))
        kept = self._kept.get(cell_index, 0)
        if msg["msg_type"] != "error" and kept + size > self.output_chars:
            if kept <= self.output_chars:
                self._kept[cell_index] = self.output_chars + 1
                outs.append(NotebookNode(output_type="stream", name="stderr", text="\n[grader: output truncated]\n"))
            return None
        self._kept[cell_index] = kept + size
        return super().output(outs, msg, display_id, cell_index)


def trim_error(name: str, value: str, limit: int = 600) -> str:
    """Name and message, shortened in the middle: TensorFlow puts the useful line at the end."""
    text = f"{name}: {value}".strip()
    return text if len(text) <= limit else text[:150] + " ... " + text[-(limit - 155):]


def kernel_pid(client: GradingClient) -> int | None:
    """The kernel's process id (it changes when the kernel is restarted); None when unknown."""
    provisioner = getattr(client.km, "provisioner", None)
    pid = getattr(provisioner, "pid", None)
    return pid if isinstance(pid, int) else None


def _cpu_used(pid: int | None, start: float) -> float:
    return max(tree_cpu_seconds(pid) - start, 0.0) if pid else 0.0


async def run_cell(client: GradingClient, cell: NotebookNode, index: int, timeout: float, cpu_budget: float | None = None) -> CellRun:
    """Execute one cell; return its status, the trimmed error, its duration and CPU seconds. Never raises for student faults.

    ``timeout`` is the wall-clock cap. With ``cpu_budget`` the cell is also interrupted once the kernel's process
    tree has used that many CPU seconds during it: CPU time does not grow when the machine is busy, wall time does.
    """
    client.timeout = max(1, int(timeout))
    client.last_reply = {}
    started = time.monotonic()
    pid = kernel_pid(client)
    cpu_start = tree_cpu_seconds(pid) if pid else 0.0
    execution = asyncio.ensure_future(client.async_execute_cell(cell, index))
    over_budget = False
    interrupted = 0.0
    try:
        while cpu_budget is not None and pid is not None:
            done, _ = await asyncio.wait({execution}, timeout=CPU_POLL_S)
            if done:
                break
            if not over_budget and _cpu_used(pid, cpu_start) > cpu_budget:
                over_budget, interrupted = True, time.monotonic()
                await client.km.interrupt_kernel()
            elif over_budget and time.monotonic() - interrupted > INTERRUPT_GRACE_S:
                execution.cancel()  # the kernel ignores SIGINT: the runner checks it answers, else restarts it
                break
        await execution
    except asyncio.CancelledError:
        pass
    except DeadKernelError:
        return CellRun(CellStatus.kernel_died, "the kernel died (the process exited or was killed)", time.monotonic() - started, _cpu_used(pid, cpu_start))
    except CellTimeoutError:
        return CellRun(CellStatus.timeout, f"did not finish within {int(timeout)} s of wall-clock time, its cap", time.monotonic() - started, _cpu_used(pid, cpu_start))
    duration, cpu = time.monotonic() - started, _cpu_used(pid, cpu_start)
    reply = client.last_reply
    if over_budget:
        return CellRun(CellStatus.timeout, f"used more than its budget of {cpu_budget:g} CPU seconds and was interrupted", duration, cpu)
    if reply.get("ename") == TIMEOUT_MARK:
        return CellRun(CellStatus.timeout, f"did not finish within {int(timeout)} s of wall-clock time, its cap, and was interrupted", duration, cpu)
    if reply.get("status") == "error":
        return CellRun(CellStatus.error, trim_error(reply.get("ename", "Error"), reply.get("evalue", "")), duration, cpu)
    return CellRun(CellStatus.ok, None, duration, cpu)


async def run_extra(client: GradingClient, source: str, timeout: float, cpu_budget: float | None = None) -> CellRun:
    """Run grader code (probe runtime, probes) as a cell appended to the notebook (nbclient indexes cells)."""
    client.nb.cells.append(nbformat.v4.new_code_cell(source))
    index = len(client.nb.cells) - 1
    return await run_cell(client, client.nb.cells[index], index, timeout, cpu_budget)


async def responsive(client: GradingClient, timeout: float = 10) -> bool:
    """True when the kernel answers a trivial cell: after a timeout, an interrupt may not have worked."""
    return (await run_extra(client, "pass", timeout)).status == CellStatus.ok


async def restart(client: GradingClient, timeout: float) -> None:
    """Kill and restart the kernel: its state is lost, but later cells and probes can still run."""
    await client.km.restart_kernel(now=True)
    await client.kc.wait_for_ready(timeout=timeout)
