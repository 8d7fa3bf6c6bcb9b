"""A worker plugin that keeps, for every task a worker starts, the bytes it received: the task's
arguments and the data it depends on, pickled again as one blob per task. The payload test searches
these blobs for what must never leave the TA's machine."""

from __future__ import annotations

import pickle
from pathlib import Path

from distributed.diagnostics.plugin import WorkerPlugin


class PayloadSpy(WorkerPlugin):
    name = "payload-spy"

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def setup(self, worker) -> None:
        self.worker = worker

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish != "executing":
            return
        task = self.worker.state.tasks[key]
        received = {"run_spec": task.run_spec, "dependencies": [self.worker.data[dependency.key] for dependency in task.dependencies]}
        Path(self.folder, f"{abs(hash(str(key)))}.pickle").write_bytes(pickle.dumps(received))
