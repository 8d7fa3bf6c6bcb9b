"""The Docker sandbox: one fresh container per submission, as locked down as Docker allows.

No network, a non-root user, every capability dropped, no-new-privileges, a read-only root filesystem
with size-capped tmpfs for /tmp and the job, memory without swap, CPU, pids and file-size limits from
the rubric, and a wall-clock limit kept by the host. The job goes in with ``put_archive`` (nothing of
the host is mounted); ``out/`` comes back with ``get_archive`` and only regular files, capped in size
and count, are extracted. The container is removed in every case, also on Ctrl-C.

The docker SDK is imported lazily: ``pip install 'grader[docker]'``.
"""

from __future__ import annotations

import io
import socket
import tarfile
import threading
import time
import uuid
from pathlib import Path

from grader.errors import SandboxUnavailable
from grader.sandbox.base import Sandbox, SandboxOutcome
from grader.sandbox.container_entry import DONE_MARK
from grader.settings import Limits

LABEL = "org.grader.job"
MAX_OUT_FILES = 200


def engine():
    """A docker client that answers, or SandboxUnavailable in one line."""
    try:
        import docker
    except ImportError:
        raise SandboxUnavailable("the docker sandbox needs the docker SDK: pip install 'grader[docker]'") from None
    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except Exception as problem:  # docker.errors.DockerException and socket errors alike
        raise SandboxUnavailable(f"no Docker engine answers ({str(problem).splitlines()[0][:200]}); start dockerd or use --sandbox local") from None
    return client


class GpuPool:
    """Hands out GPU ids so that no two containers share one unless sharing was asked for ('all')."""

    def __init__(self, spec: str | None, available: int) -> None:
        self.share_all = spec == "all"
        self.per_job = 0 if not spec else available if spec == "all" else int(spec)
        if self.per_job > available:
            raise SandboxUnavailable(f"{self.per_job} GPU(s) per job asked for, {available} available")
        self.free = list(range(available))
        self.condition = threading.Condition()

    def acquire(self) -> list[int]:
        if self.per_job == 0 or self.share_all:
            return list(range(self.per_job))
        with self.condition:
            self.condition.wait_for(lambda: len(self.free) >= self.per_job)
            taken, self.free = self.free[: self.per_job], self.free[self.per_job :]
            return taken

    def release(self, ids: list[int]) -> None:
        if self.per_job and not self.share_all:
            with self.condition:
                self.free.extend(ids)
                self.condition.notify_all()


def _has_nvidia_runtime(client) -> bool:
    info = client.info()
    return "nvidia" in (info.get("Runtimes") or {}) or any("nvidia" in str(r).lower() for r in (info.get("CDISpecDirs") or []))


class DockerSandbox(Sandbox):
    """Runs each job in a fresh container of the grading image."""

    name = "docker"

    def __init__(self, client, image: str, gpus: GpuPool | None = None) -> None:
        self.client = client
        self.image = image
        self.gpus = gpus or GpuPool(None, 0)

    @classmethod
    def connect(cls, gpus: str | None = None, image: str | None = None) -> "DockerSandbox":
        from grader.sandbox.images import image_tag

        client = engine()
        wants_gpu = bool(gpus and gpus != "0")
        tag = image or image_tag(gpu=wants_gpu)
        if not client.images.list(name=tag):
            raise SandboxUnavailable(f"the grading image {tag} is not built here; run `grader image build{' --gpu' if wants_gpu else ''}`")
        pool = None
        if wants_gpu:
            if not _has_nvidia_runtime(client):
                raise SandboxUnavailable("GPUs were requested but this Docker engine has no NVIDIA runtime (install nvidia-container-toolkit)")
            pool = GpuPool(gpus, _count_gpus())
        return cls(client, tag, pool)

    def describe(self) -> str:
        return f"docker (image {self.image}; no network, non-root, capabilities dropped, read-only root, tmpfs job)"

    def _create(self, limits: Limits, gpu_ids: list[int], name: str):
        from docker.types import DeviceRequest, Ulimit

        devices = [DeviceRequest(device_ids=[str(i) for i in gpu_ids], capabilities=[["gpu"]])] if gpu_ids else None
        return self.client.containers.create(
            self.image,
            ["python", "-m", "grader.sandbox.container_entry", "/job"],
            name=name,
            stdin_open=True,
            labels={LABEL: name},
            user="1000:1000",
            network_mode="none",
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            read_only=True,
            tmpfs={"/tmp": f"size={limits.scratch_mb}m,mode=1777", "/job": f"size={limits.scratch_mb}m,uid=1000,gid=1000,mode=755"},
            mem_limit=f"{limits.memory_mb}m",
            memswap_limit=f"{limits.memory_mb}m",
            nano_cpus=int(limits.cpus * 1e9),
            pids_limit=limits.processes,
            ulimits=[Ulimit(name="fsize", soft=limits.file_size_mb << 20, hard=limits.file_size_mb << 20), Ulimit(name="core", soft=0, hard=0)],
            environment={"GRADER_DATA_DIR": "/job/data", "GRADER_SANDBOX": "1", "HOME": "/job/work", "TMPDIR": "/tmp", "JUPYTER_RUNTIME_DIR": "/job/runtime", "IPYTHONDIR": "/job/runtime/ipython", "MPLCONFIGDIR": "/job/runtime/mpl"},
            working_dir="/tmp",
            device_requests=devices,
        )

    def run(self, job_dir: Path, limits: Limits, wall_limit: float) -> SandboxOutcome:
        name = f"grader-job-{uuid.uuid4().hex[:12]}"
        gpu_ids = self.gpus.acquire() if limits.gpu or self.gpus.per_job else []
        started = time.monotonic()
        container, status, code, log = None, "crashed", None, ""
        try:
            container = self._create(limits, gpu_ids, name)
            _send_stdin(container, _job_archive(job_dir))
            status, code = self._wait(container, started, wall_limit)
            log = container.logs(tail=40).decode("utf-8", "replace")
            container.reload()
            if container.attrs.get("State", {}).get("OOMKilled"):
                status = "oom"
            _extract_out(container, job_dir / "out", limits.artifact_bytes)
        finally:
            if container is not None:
                try:
                    container.remove(force=True)
                except Exception:  # noqa: BLE001 - already gone; removal is best effort after the fact
                    pass
            self.gpus.release(gpu_ids)
        return SandboxOutcome(status=status, exit_code=code, wall_s=time.monotonic() - started, log_tail=log[-4000:], backend=self.describe())

    def _wait(self, container, started: float, wall_limit: float) -> tuple[str, int | None]:
        while time.monotonic() - started < wall_limit:
            container.reload()
            state = container.attrs.get("State", {})
            if state.get("OOMKilled"):
                return "oom", None
            if not state.get("Running"):
                return "crashed", state.get("ExitCode")
            tail = container.logs(tail=5).decode("utf-8", "replace")
            if DONE_MARK in tail:
                code = tail.split(DONE_MARK, 1)[1].split()[:1]
                exit_code = int(code[0]) if code and code[0].lstrip("-").isdigit() else None
                return ("exited" if exit_code == 0 else "crashed"), exit_code
            time.sleep(0.25)
        container.kill()
        return "timeout", None


def _send_stdin(container, data: bytes) -> None:
    """Start the container and stream the job into its standard input, then close it."""
    sock = container.attach_socket(params={"stdin": 1, "stream": 1})
    container.start()
    raw = getattr(sock, "_sock", sock)
    raw.sendall(data)
    raw.shutdown(socket.SHUT_WR)
    raw.close()


def _job_archive(job_dir: Path) -> bytes:
    """The job folder as a tar owned by the sandbox user; work/, out/ and runtime/ empty and writable."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for folder in ("work", "out", "out/probes", "runtime", "inputs", "data"):
            info = tarfile.TarInfo(folder)
            info.type, info.mode, info.uid, info.gid = tarfile.DIRTYPE, 0o755, 1000, 1000
            archive.addfile(info)
        for path in sorted(job_dir.rglob("*")):
            relative = path.relative_to(job_dir)
            if path.is_file() and not path.is_symlink() and relative.parts[0] not in ("work", "out", "runtime"):
                info = archive.gettarinfo(str(path), arcname=str(relative))
                info.uid = info.gid = 1000
                info.mode = 0o644
                with open(path, "rb") as handle:
                    archive.addfile(info, handle)
    return buffer.getvalue()


def _extract_out(container, target: Path, max_bytes: int) -> None:
    """Copy /job/out back: regular files only, no links or devices, no path tricks, capped in size and count.

    ``get_archive`` cannot see a tmpfs in this Docker, so the image's own ``tar`` (read-only root, not
    the student's) packs the folder; links are stored as links, and skipped here.
    """
    budget = max_bytes * 4 + (1 << 20)
    try:
        _, stream = container.exec_run(["/bin/tar", "-C", "/job", "-cf", "-", "out"], stream=True, demux=True, user="1000:1000")
        data = io.BytesIO()
        for stdout, _stderr in stream:
            if stdout:
                data.write(stdout)
            if data.tell() > budget:
                return  # more than the artifacts could ever need: take nothing
    except Exception:  # noqa: BLE001 - the container is gone (crash, OOM): the probes report what is missing
        return
    data.seek(0)
    target.mkdir(parents=True, exist_ok=True)
    kept = 0
    try:
        archive = tarfile.open(fileobj=data, mode="r:")
    except tarfile.TarError:
        return
    with archive:
        for member in archive:
            parts = Path(member.name).parts
            if not member.isreg() or len(parts) < 2 or parts[0] != "out" or any(p in ("..", "") or p.startswith("/") for p in parts):
                continue
            if member.size > max_bytes or kept >= MAX_OUT_FILES:
                continue
            destination = target.joinpath(*parts[1:])
            destination.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            if source is not None:
                destination.write_bytes(source.read(max_bytes + 1)[:max_bytes])
                kept += 1


def _count_gpus() -> int:
    import shutil
    import subprocess

    if not shutil.which("nvidia-smi"):
        return 0
    listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30).stdout
    return sum(1 for line in listing.splitlines() if line.startswith("GPU "))
