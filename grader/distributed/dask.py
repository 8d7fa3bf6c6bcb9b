"""Grading on a Dask cluster: each submission's sandboxed run (pipeline stage 5) goes to a worker.

Usage::

    with connect("tcp://gpu-node-1:8786", "local", hide=[...]) as cluster:   # or "local:4": a LocalCluster
        outcome = cluster.run(job_dir, limits, wall_limit)                    # a Sandbox like the others

Host side, ``ClusterSandbox`` is a ``Sandbox``: it packs the job folder that stage 4 wrote into a
``JobPayload``, submits it and waits; ``run_job`` on a worker writes the payload into the worker's own
job folder, runs the configured sandbox (local or docker) there and returns the ``out/`` files as
capped bytes in a ``JobReturn``; the host writes them back into its job folder, and stages 6-9 read
them with the same capped, pickle-free readers as a local run. Loading, inputs, judging, scores, the
gradebook and the reference solution's run stay on the TA's machine.

What travels: job.json, the sanitized notebook, probes.py, the grader-chosen inputs and the data files
of the job folder (evaluation labels are never written there). Inputs and data are the same for every
job of a rubric (PW06's are 15 MB): they are scattered once by content and fetched once per worker, not
sent with every job. Held inputs, judges and the reference never travel.

Trust: Dask pickles task arguments and results between grader processes (ours on both ends). What the
student's code wrote comes back as opaque bytes and is parsed only by ``grader.execution.artifacts``.

Lost workers: the scheduler reruns a task whose worker died on another worker; the host stores the one
result its future yields, so a student is graded once. Shared data lost with its worker is scattered
again from the host and the job resubmitted (it never started). A job whose workers keep dying ends, after the
scheduler's ``allowed-failures``, as ``KilledWorker``: an error result for that student, the batch goes on.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import stat
import threading
import uuid
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from grader.errors import SandboxUnavailable
from grader.sandbox.base import Sandbox, SandboxOutcome
from grader.settings import Limits

if TYPE_CHECKING:
    from distributed import Future

OUT_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
OUT_PATH = re.compile(r"^(probes/)?[A-Za-z0-9_][A-Za-z0-9_.-]*$")
SHARED_FOLDERS = ("data", "inputs")  # the same for every job of a rubric (MNIST, grader-chosen inputs): sent once per worker
LOST_DATA_ATTEMPTS = 3  # submissions of one job whose shared data was lost with its worker
CONNECT_TIMEOUT_S = 15  # a running scheduler answers at once; an unreachable one fails the batch before any work


def _distributed():
    try:
        import distributed
    except ImportError:
        raise SandboxUnavailable("grading on a cluster needs Dask: pip install 'grader[cluster]'") from None
    return distributed


class JobPayload(BaseModel):
    """One sandboxed run as it travels to a worker."""

    files: dict[str, bytes] = Field(description="This job's own files by relative POSIX path: job.json, notebook.ipynb, probes.py.")
    shared: list[str] = Field(default_factory=list, description="Relative paths of the files every job of the rubric shares (data/, inputs/), which come beside the payload as scattered Dask data.")
    limits: Limits = Field(description="The rubric's resource limits, applied by the worker's sandbox.")
    wall_limit: float = Field(gt=0, description="Seconds the worker's sandbox lets the whole run take.")
    sandbox: str = Field(description="Backend the worker runs the job in: local, docker or auto.")
    gpus: str | None = Field(None, description="GPUs per container for the docker backend: N or all.")
    hide: list[str] = Field(default_factory=list, description="Paths the sandbox hides (the host's course and results folders; ignored where absent on the worker).")


class JobReturn(BaseModel):
    """What a worker sends back: how the sandbox ended and the run's out/ files, unparsed."""

    outcome: SandboxOutcome = Field(description="The worker sandbox's outcome.")
    out_files: dict[str, bytes] = Field(default_factory=dict, description="Regular files of out/ and out/probes/ by relative path, each within the artifact cap.")
    oversized: dict[str, int] = Field(default_factory=dict, description="Files over the artifact cap, not sent: relative path -> size (the host's reader rejects them as too large).")
    refused: list[str] = Field(default_factory=list, description="Entries of out/ not sent: not regular files, odd names, or past the total cap.")
    worker: str = Field("", description="Address of the worker that ran the job.")


# -- worker side ------------------------------------------------------------------------------------
def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in ("", ".", "..") for part in path.parts):
        raise ValueError(f"refusing job file path {name!r}")
    return path


def write_payload(payload: JobPayload, shared: dict[str, bytes], job_dir: Path) -> None:
    """Lay the payload out as the job folder the sandbox expects."""
    for name, content in [*payload.files.items(), *shared.items()]:
        target = job_dir / _safe_relative(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def collect_out(out_dir: Path, file_cap: int, total_cap: int) -> dict:
    """JobReturn's out_files, oversized and refused: regular files of out/ and out/probes/ (links never followed)."""
    from grader.execution.artifacts import ArtifactRejected, read_capped

    files: dict[str, bytes] = {}
    oversized: dict[str, int] = {}
    refused: list[str] = []
    total = 0
    for folder, prefix in ((out_dir, ""), (out_dir / "probes", "probes/")):
        try:
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                continue  # a link planted in place of probes/ is never followed
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False) and name == "probes":
                continue
            if not OUT_NAME.match(entry.name) or not stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
                refused.append(name)
                continue
            try:
                content = read_capped(out_dir, name, file_cap)  # every component opened O_NOFOLLOW from out/
            except ArtifactRejected:
                oversized[name] = max(entry.stat(follow_symlinks=False).st_size, file_cap + 1)
                continue
            if total + len(content) > total_cap:
                refused.append(name)
                continue
            total += len(content)
            files[name] = content
    return {"out_files": files, "oversized": oversized, "refused": refused}


@functools.lru_cache(maxsize=8)
def _worker_sandbox(name: str, hide: tuple[str, ...], gpus: str | None) -> Sandbox:
    from grader.datasets import mnist
    from grader.sandbox import get_sandbox

    # The worker's own copy of the grader's data (labels included) is hidden as on the host.
    return get_sandbox(name, hide=[Path(path) for path in hide] + [mnist.package_dir()], gpus=gpus)


def run_job(payload: JobPayload, shared: dict[str, bytes]) -> JobReturn:
    """On a worker: run one job in this machine's sandbox and return what it wrote. Student faults are outcomes."""
    from grader.execution.jobdirs import job_folder

    # A worker killed mid-job leaves its folder; the next grader process on this machine sweeps it.
    with job_folder("cluster-") as job_dir:
        write_payload(payload, shared, job_dir)
        sandbox = _worker_sandbox(payload.sandbox, tuple(payload.hide), payload.gpus)
        outcome = sandbox.run(job_dir, payload.limits, payload.wall_limit)
        collected = collect_out(job_dir / "out", payload.limits.artifact_bytes, 4 * payload.limits.artifact_bytes)
    try:
        worker = _distributed().get_worker().address
    except ValueError:  # called outside a worker (tests of this function alone)
        worker = ""
    return JobReturn(outcome=outcome, worker=worker, **collected)


# -- host side --------------------------------------------------------------------------------------
def pack_job(job_dir: Path) -> tuple[dict[str, bytes], list[str]]:
    """The job folder's own files as bytes, and the relative paths of its shared (data) files."""
    files: dict[str, bytes] = {}
    shared: list[str] = []
    for path in sorted(job_dir.rglob("*")):
        relative = path.relative_to(job_dir).as_posix()
        if not path.is_file() or relative.split("/")[0] in ("out", "work", "runtime"):
            continue
        if relative.split("/")[0] in SHARED_FOLDERS:
            shared.append(relative)
        else:
            files[relative] = path.read_bytes()
    return files, shared


def unpack_out(returned: JobReturn, job_dir: Path) -> None:
    """Write the returned out/ files into the host's job folder, where the capped readers look."""
    out = job_dir / "out"
    files: list[tuple[str, bytes | int]] = [*returned.out_files.items(), *returned.oversized.items()]  # bytes, or the size of one not sent
    for name, content in files:
        if not OUT_PATH.match(name):
            continue  # only out/<file> and out/probes/<file> are read; nothing else is written
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, int):
            with open(target, "wb") as handle:
                handle.truncate(content)  # sparse: the reader rejects it by its size without reading it
        else:
            target.write_bytes(content)


def gpu_request(limits: Limits, gpus: str | None) -> int:
    """GPUs one job asks the scheduler for: the rubric's ``resources.gpu``, else ``--gpus`` (``all`` counts as one)."""
    if limits.gpu:
        return limits.gpu
    if not gpus:
        return 0
    return int(gpus) if gpus.isdigit() else 1


class ClusterSandbox(Sandbox):
    """Runs each job on a Dask worker, which runs it in its own sandbox."""

    name = "dask"

    def __init__(self, client, address: str, sandbox: str, hide: list[Path], gpus: str | None, gpu_count: int, cluster=None, retries: int = 1) -> None:
        self.client = client
        self.address = address
        self.sandbox = sandbox
        self.hide = [str(path.resolve()) for path in hide]
        self.gpus = gpus
        self.gpu_count = gpu_count
        self.cluster = cluster  # a LocalCluster this object started, closed with it
        self.retries = retries
        self._digests: dict[tuple, str] = {}  # file identity -> content digest
        self._shared: dict[str, Future] = {}  # content digest -> scattered future
        self._lock = threading.Lock()

    def workers(self) -> dict[str, dict]:
        return self.client.scheduler_info(n_workers=-1)["workers"]

    def slots(self) -> int:
        """Jobs the cluster can run at once: what the host should keep in flight."""
        if self.gpu_count:
            return max(1, sum(int(info.get("resources", {}).get("GPU", 0)) // self.gpu_count for info in self.workers().values()))
        return max(1, sum(info.get("nthreads", 1) for info in self.workers().values()))

    def describe(self) -> str:
        gpu = f", {self.gpu_count} GPU per job" if self.gpu_count else ""
        return f"dask cluster {self.address} ({len(self.workers())} workers{gpu}; each job in the worker's {self.sandbox} sandbox)"

    def _scattered(self, job_dir: Path, relative: str):
        """The Dask future of a shared file's bytes: scattered once per content, fetched once per worker."""
        path = job_dir / relative
        info = path.stat()
        file_identity = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)  # data files are hard links of one file
        with self._lock:
            content = None
            if file_identity not in self._digests:
                content = path.read_bytes()
                self._digests[file_identity] = hashlib.sha256(content).hexdigest()
            digest = self._digests[file_identity]
            held = self._shared.get(digest)
            # Scattered bytes live on one worker (Dask's memory manager drops spare copies): when that
            # worker dies the future is cancelled, and the host, which still has the file, sends it again.
            if held is None or held.status != "finished":
                self._shared[digest] = self.client.scatter(path.read_bytes() if content is None else content, hash=True)
            return self._shared[digest]

    def payload(self, job_dir: Path, limits: Limits, wall_limit: float) -> tuple[JobPayload, dict[str, object]]:
        files, shared = pack_job(job_dir)
        payload = JobPayload(files=files, shared=shared, limits=limits, wall_limit=wall_limit, sandbox=self.sandbox, gpus=self.gpus, hide=self.hide)
        return payload, {relative: self._scattered(job_dir, relative) for relative in shared}

    def run(self, job_dir: Path, limits: Limits, wall_limit: float) -> SandboxOutcome:
        distributed = _distributed()
        for attempt in range(1, LOST_DATA_ATTEMPTS + 1):
            payload, shared = self.payload(job_dir, limits, wall_limit)
            future = self.client.submit(
                run_job,
                payload,
                shared,
                key=f"grader-job-{job_dir.name}-{uuid.uuid4().hex[:8]}",
                resources={"GPU": self.gpu_count} if self.gpu_count else None,
                retries=self.retries,  # a task that raised (e.g. the worker's disk was full); lost workers are rerun by the scheduler
                pure=False,
            )
            try:
                returned = future.result()
                break
            except distributed.KilledWorker as lost:
                raise RuntimeError(f"each Dask worker that ran it died ({lost}); the job was given up") from None
            except distributed.client.FutureCancelledError:
                # The worker holding the shared data died before this job fetched it ("lost dependencies"):
                # the job never ran; scatter the data again and submit it again.
                if attempt == LOST_DATA_ATTEMPTS:
                    raise RuntimeError(f"the workers holding this job's data died {attempt} times in a row; the job was given up") from None
            finally:
                future.release()
        returned = JobReturn.model_validate(returned)
        unpack_out(returned, job_dir)
        worker = f"; dask worker {returned.worker}" if returned.worker else ""
        return returned.outcome.model_copy(update={"backend": returned.outcome.backend + worker})

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> ClusterSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(address: str, sandbox: str, hide: list[Path], gpus: str | None = None, gpu_count: int = 0) -> ClusterSandbox:
    """A ClusterSandbox on the scheduler at ``address``, or on a new LocalCluster for ``local`` / ``local:N``."""
    distributed = _distributed()
    cluster = None
    if address == "local" or address.startswith("local:"):
        count = address.partition(":")[2]
        if count and (not count.isdigit() or int(count) < 1):
            raise SandboxUnavailable(f"--cluster {address}: expected local or local:N with N a number of workers")
        workers = int(count) if count else max(1, (os.cpu_count() or 2) // 2)
        # One job per worker process: each sandbox already uses the cores its rubric allows.
        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
            silence_logs=logging.ERROR,  # the TA reads the progress bar, not Dask's start-up and shutdown chatter
        )
        target = cluster
    else:
        target = address
    try:
        client = distributed.Client(target, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as problem:  # ValueError: not an address Dask can parse
        if cluster is not None:
            cluster.close()
        raise SandboxUnavailable(f"--cluster {address}: no Dask scheduler answered ({problem})") from None
    runner = ClusterSandbox(client, cluster.scheduler_address if cluster else address, sandbox, hide, gpus, gpu_count, cluster)
    if gpu_count and not any(info.get("resources", {}).get("GPU", 0) >= gpu_count for info in runner.workers().values()):
        runner.close()
        raise SandboxUnavailable(f"--cluster {address}: jobs need {gpu_count} GPU each, but no worker advertises that many; start GPU workers with `dask worker {address} --resources GPU=1`")
    return runner
