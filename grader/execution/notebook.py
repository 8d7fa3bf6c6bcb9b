"""nbclient, configured for grading: errors do not stop the run, output is capped, hangs are cut.

``GradingClient`` is nbclient's ``NotebookClient`` with one override, ``output``, because nbclient keeps
every output in memory and a student printing hundreds of MB must not take the runner down with it.
Everything else uses nbclient's own options and its ``on_cell_executed`` hook.
"""

from __future__ import annotations

import time
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from traitlets import Integer

from grader.execution.job import CellStatus

TIMEOUT_MARK = "GraderCellTimeout"


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


async def run_cell(client: GradingClient, cell: NotebookNode, index: int, timeout: float) -> tuple[CellStatus, str | None, float]:
    """Execute one cell; return its status, the trimmed error and its duration. Never raises for student faults."""
    client.timeout = max(1, int(timeout))
    client.last_reply = {}
    started = time.monotonic()
    try:
        await client.async_execute_cell(cell, index)
    except DeadKernelError:
        return CellStatus.kernel_died, "the kernel died (the process exited or was killed)", time.monotonic() - started
    except CellTimeoutError:
        return CellStatus.timeout, f"did not finish within {int(timeout)} s", time.monotonic() - started
    duration = time.monotonic() - started
    reply = client.last_reply
    if reply.get("ename") == TIMEOUT_MARK:
        return CellStatus.timeout, f"did not finish within {int(timeout)} s and was interrupted", duration
    if reply.get("status") == "error":
        return CellStatus.error, trim_error(reply.get("ename", "Error"), reply.get("evalue", "")), duration
    return CellStatus.ok, None, duration


async def run_extra(client: GradingClient, source: str, timeout: float) -> tuple[CellStatus, str | None, float]:
    """Run grader code (probe runtime, probes) as a cell appended to the notebook (nbclient indexes cells)."""
    client.nb.cells.append(nbformat.v4.new_code_cell(source))
    index = len(client.nb.cells) - 1
    return await run_cell(client, client.nb.cells[index], index, timeout)


async def responsive(client: GradingClient, timeout: float = 10) -> bool:
    """True when the kernel answers a trivial cell: after a timeout, an interrupt may not have worked."""
    status, _, _ = await run_extra(client, "pass", timeout)
    return status == CellStatus.ok


async def restart(client: GradingClient, timeout: float) -> None:
    """Kill and restart the kernel: its state is lost, but later cells and probes can still run."""
    await client.km.restart_kernel(now=True)
    await client.kc.wait_for_ready(timeout=timeout)
