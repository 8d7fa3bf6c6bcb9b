"""A real Dask cluster on 127.0.0.1 for the dask tests: `dask scheduler` and `dask worker` processes.

Each process runs in its own session (so a test can kill -9 a worker with everything it started) on
ports the OS picks (the scheduler writes its address to a file); PYTHONPATH is inherited, so the
workers import this checkout. Teardown kills them all. Without Dask installed, or when the scheduler
cannot start, the tests skip, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

STARTUP_S = 120


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"dask tests: {reason}")
    pytest.skip(reason)


class LocalDask:
    """A scheduler and named workers, each a real process group; ``kill`` is kill -9 of one worker."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.processes: dict[str, subprocess.Popen] = {}
        self.scheduler_file = folder / "scheduler.json"
        self.address = ""

    def _start(self, name: str, *arguments: str) -> None:
        log = open(self.folder / f"{name}.log", "wb")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "dask", *arguments],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.folder,
            # The checkout first on the path, as pytest has it: workers import this grader and the tests' plugins
            # (pytest puts the repository on its own sys.path, which a child process does not inherit).
            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))},
        )
        log.close()

    def start(self, workers: dict[str, list[str]]) -> LocalDask:
        self._start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(self.scheduler_file))
        for name, extra in workers.items():
            self._start(name, "worker", "--scheduler-file", str(self.scheduler_file), "--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "1", "--no-dashboard", "--name", name, *extra)
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline and self.running_workers() != set(workers):
            for name, process in self.processes.items():
                if process.poll() is not None:
                    _unavailable(f"`dask {name}` exited with {process.returncode}: {(self.folder / f'{name}.log').read_text()[-500:]}")
            time.sleep(0.5)
        if self.running_workers() != set(workers):
            _unavailable(f"the Dask cluster did not come up within {STARTUP_S} s (workers up: {sorted(self.running_workers())})")
        return self

    def client(self):
        from distributed import Client

        return Client(self.address, set_as_default=False, timeout=30)

    def running_workers(self) -> set[str]:
        """Names of the workers the scheduler knows."""
        if not self.address:
            if not self.scheduler_file.exists():
                return set()
            try:
                self.address = json.loads(self.scheduler_file.read_text())["address"]
            except (ValueError, KeyError):
                return set()
        with self.client() as client:
            return {str(info["name"]) for info in client.scheduler_info(n_workers=-1)["workers"].values()}

    def worker_address(self, name: str) -> str:
        with self.client() as client:
            return next(address for address, info in client.scheduler_info(n_workers=-1)["workers"].items() if str(info["name"]) == name)

    def kill(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait()

    def stop(self) -> None:
        for process in self.processes.values():
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def start_dask(folder: Path, workers: dict[str, list[str]]):
    try:
        import distributed  # noqa: F401
    except ImportError:
        _unavailable("Dask is not installed: pip install -e '.[cluster]'")
    folder.mkdir(parents=True, exist_ok=True)
    cluster = LocalDask(folder)
    try:
        return cluster.start(workers)
    except BaseException:
        cluster.stop()
        raise


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A scheduler, a CPU worker and a worker that advertises one (fake) GPU."""
    cluster = start_dask(tmp_path_factory.mktemp("dask"), {"cpu": [], "gpu": ["--resources", "GPU=1"]})
    yield cluster
    cluster.stop()
