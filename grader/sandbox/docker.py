"""The Docker sandbox: one fresh container per submission, as locked down as Docker allows.

No network, a non-root user, every capability dropped, no-new-privileges, a read-only root filesystem
with size-capped tmpfs for /tmp and the job, memory without swap, CPU, pids and file-size limits from
the rubric, a capped container log, and a wall-clock limit kept by the host. Nothing of the host is
mounted: the job goes in as a tar on the container's standard input (Docker refuses ``put_archive`` on
a read-only root, even into a tmpfs) and ``out/`` comes back through the image's own ``tar``
(``get_archive`` cannot see a tmpfs); only regular files, capped in size and count, are extracted.
The container is removed in every case, also on Ctrl-C.

    sandbox = DockerSandbox.connect()            # or get_sandbox("docker", gpus="1")
    outcome = sandbox.run(job_dir, limits, wall_limit=120)
    outcome.backend                              # 'docker (image grader-sandbox:3f2a..., ...)'

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
from grader.sandbox.container_entry import DONE_MARK, STOP_SIGNAL
from grader.sandbox.docker_engine import engine
from grader.sandbox.images import image_tag
from grader.settings import Limits

LABEL = "org.grader.job"
SANDBOX_USER = "1000:1000"
MAX_OUT_FILES = 200
STOP_GRACE_S = 10.0  # how long a stopped run may take to print its mark before the container is killed
LOG_CAP = {"max-size": "1m", "max-file": "1"}  # what a student may print to the real stdout lands on the host disk


class GpuPool:
    """Hands out GPU ids so that no two containers share one unless sharing was asked for ('all').

    pool = GpuPool("1", available=4)   # each job gets its own GPU; a fifth job waits for one
    ids = pool.acquire(); ...; pool.release(ids)
    """

    def __init__(self, spec: str | None, available: int) -> None:
        self.total = available
        self.share_all = spec == "all"
        self.per_job = 0 if not spec else available if spec == "all" else int(spec)
        if self.per_job > available:
            raise SandboxUnavailable(f"{self.per_job} GPU(s) per job asked for, {available} on this machine")
        self.free = list(range(available))
        self.condition = threading.Condition()

    def acquire(self, count: int | None = None) -> list[int]:
        """``count`` GPUs (default: the pool's per-job number), waiting until that many are free."""
        wanted = self.per_job if count is None else count
        if wanted > self.total:
            raise SandboxUnavailable(f"{wanted} GPU(s) per job asked for, {self.total} on this machine")
        if wanted == 0 or self.share_all:
            return list(range(wanted))
        with self.condition:
            self.condition.wait_for(lambda: len(self.free) >= wanted)
            taken, self.free = self.free[:wanted], self.free[wanted:]
            return taken

    def release(self, ids: list[int]) -> None:
        if ids and not self.share_all:
            with self.condition:
                self.free.extend(ids)
                self.condition.notify_all()


def _has_nvidia_runtime(client) -> bool:
    return "nvidia" in (client.info().get("Runtimes") or {})


def gpu_pool(client, spec: str | None) -> GpuPool:
    """A pool over this machine's GPUs, or SandboxUnavailable in one line when the engine cannot give any."""
    if not _has_nvidia_runtime(client):
        raise SandboxUnavailable("GPUs were requested but this Docker engine has no NVIDIA runtime (install nvidia-container-toolkit and restart dockerd)")
    return GpuPool(spec, _count_gpus())


class DockerSandbox(Sandbox):
    """Runs each job in a fresh container of the grading image."""

    name = "docker"

    def __init__(self, client, image: str, gpus: GpuPool | None = None) -> None:
        self.client = client
        self.image = image
        self.gpus = gpus
        self.names_used: set[str] = set()  # so tests can prove none of this sandbox's containers remain
        self.cpus = float(client.info().get("NCPU") or 1)  # Docker refuses nano_cpus above the machine's count
        self._gpu_lock = threading.Lock()

    @classmethod
    def connect(cls, gpus: str | None = None, image: str | None = None) -> DockerSandbox:
        """The sandbox on the local engine with the grading image for this grader's source (built beforehand)."""
        client = engine()
        wants_gpu = bool(gpus and gpus != "0")
        pool = gpu_pool(client, gpus) if wants_gpu else None  # first: no GPU runtime is the deeper problem
        tag = image or image_tag(gpu=wants_gpu)
        if not client.images.list(name=tag):
            raise SandboxUnavailable(f"the grading image {tag} is not built here; run `grader image build{' --gpu' if wants_gpu else ''}`")
        return cls(client, tag, pool)

    def describe(self) -> str:
        gpus = f", GPUs {'shared' if self.gpus.share_all else f'{self.gpus.per_job} per job'}" if self.gpus and self.gpus.per_job else ""
        return f"docker (image {self.image}, no network, non-root, caps dropped, read-only rootfs{gpus})"

    def _pool(self, limits: Limits) -> GpuPool | None:
        # A rubric may ask for GPUs (resources.gpu) without --gpus: spread those jobs over the GPUs too.
        if limits.gpu and self.gpus is None:
            with self._gpu_lock:
                if self.gpus is None:
                    self.gpus = gpu_pool(self.client, None)
        return self.gpus

    def _create(self, limits: Limits, gpu_ids: list[int], name: str):
        from docker.types import DeviceRequest, LogConfig, Ulimit

        devices = [DeviceRequest(device_ids=[str(i) for i in gpu_ids], capabilities=[["gpu"]])] if gpu_ids else None
        file_size = limits.file_size_mb << 20
        return self.client.containers.create(
            self.image,
            ["python", "-m", "grader.sandbox.container_entry", "/job"],
            name=name,
            stdin_open=True,
            labels={LABEL: name},
            user=SANDBOX_USER,
            network_mode="none",
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            read_only=True,
            # The student's folder is its own tmpfs: filling it must not starve the runner's /job/out.
            tmpfs={
                "/tmp": f"size={limits.scratch_mb}m,mode=1777",
                "/job": f"size={max(64, limits.artifact_bytes * 4 >> 20)}m,uid=1000,gid=1000,mode=755",
                "/job/work": f"size={limits.scratch_mb}m,uid=1000,gid=1000,mode=755",
            },
            mem_limit=f"{limits.memory_mb}m",
            memswap_limit=f"{limits.memory_mb}m",
            nano_cpus=int(min(limits.cpus, self.cpus) * 1e9),
            pids_limit=limits.processes,
            ulimits=[Ulimit(name="fsize", soft=file_size, hard=file_size), Ulimit(name="core", soft=0, hard=0)],
            log_config=LogConfig(type="json-file", config=LOG_CAP),
            environment={
                "GRADER_DATA_DIR": "/job/data",
                "GRADER_SANDBOX": "1",
                "HOME": "/job/work",
                "TMPDIR": "/tmp",
                "JUPYTER_RUNTIME_DIR": "/job/runtime",
                "IPYTHONDIR": "/job/runtime/ipython",
                "MPLCONFIGDIR": "/job/runtime/mpl",
            },
            working_dir="/tmp",
            device_requests=devices,
        )

    def run(self, job_dir: Path, limits: Limits, wall_limit: float) -> SandboxOutcome:
        name = f"grader-job-{uuid.uuid4().hex[:12]}"
        self.names_used.add(name)
        pool = self._pool(limits)
        gpu_ids = pool.acquire(None if pool.per_job else limits.gpu) if pool else []  # --gpus wins over the rubric
        started = time.monotonic()
        container, status, code, log, cpu = None, "crashed", None, "", None
        try:
            container = self._create(limits, gpu_ids, name)
            _send_stdin(container, _job_archive(job_dir))
            status, code = self._wait(container, started, wall_limit)
            cpu = _cpu_seconds(container)
            log = _logs(container)
            if status != "timeout" and _hit_memory_limit(container):
                status = "oom"
            _extract_out(container, job_dir / "out", limits.artifact_bytes)
        finally:
            # Also on KeyboardInterrupt, and also when it struck while the engine was creating the
            # container (then only its name is known).
            try:
                self.client.api.remove_container(container.id if container is not None else name, force=True)
            except Exception:  # noqa: BLE001 - never created, or already gone
                pass
            if pool:
                pool.release(gpu_ids)
        return SandboxOutcome(status=status, exit_code=code, wall_s=time.monotonic() - started, log_tail=log[-4000:], backend=self.describe(), cpu_s=cpu)

    def _wait(self, container, started: float, wall_limit: float) -> tuple[str, int | None]:
        """Poll until the entry prints its mark, the container dies, or the wall-clock limit passes."""
        deadline, timed_out = started + wall_limit, False
        while True:
            container.reload()
            state = container.attrs.get("State", {})
            if not state.get("Running"):
                return ("oom" if state.get("OOMKilled") else "timeout" if timed_out else "crashed"), state.get("ExitCode")
            code = _done_code(container)
            if code is not False:
                if timed_out:
                    return "timeout", None
                return ("exited" if code == 0 else "crashed"), code
            now = time.monotonic()
            if not timed_out and now >= deadline:
                # Stop the student's processes but keep the container, so the partial out/ comes back.
                timed_out, deadline = True, now + STOP_GRACE_S
                container.kill(signal=int(STOP_SIGNAL))
            elif timed_out and now >= deadline:
                container.kill()
                return "timeout", None
            time.sleep(0.2)


def _done_code(container) -> int | None | bool:
    """The runner's exit code once the entry printed its mark (None if unreadable); False before that."""
    tail = container.logs(tail=5).decode("utf-8", "replace")
    if DONE_MARK not in tail:
        return False
    word = tail.rsplit(DONE_MARK, 1)[1].split()[:1]
    return int(word[0]) if word and word[0].lstrip("-").isdigit() else None


def _cpu_seconds(container) -> float | None:
    """CPU seconds the container's processes used, from its control group through the engine (works with
    a remote engine too); None once it has stopped (the engine then reports nothing) or on any error."""
    try:
        stats = container.stats(stream=False, one_shot=True)  # one reading, no 1 s wait for a second sample
        used = stats["cpu_stats"]["cpu_usage"]["total_usage"]
    except Exception:  # noqa: BLE001 - a measurement, never a verdict: its absence changes no grade
        return None
    return round(used / 1e9, 3) if used else None


def _logs(container) -> str:
    try:
        return container.logs(tail=40).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - logs are for TAs debugging; their absence changes no verdict
        return ""


def _hit_memory_limit(container) -> bool:
    """True when the cgroup's OOM killer struck: usually it kills the kernel, which the runner survives,
    so Docker's OOMKilled (about the container's first process) is not enough; ask the cgroup itself."""
    try:
        container.reload()
        if container.attrs.get("State", {}).get("OOMKilled"):
            return True
    except Exception:  # noqa: BLE001 - a container already gone tells nothing more
        return False
    for events in (
        Path(f"/sys/fs/cgroup/memory/docker/{container.id}/memory.oom_control"),  # cgroup v1
        Path(f"/sys/fs/cgroup/system.slice/docker-{container.id}.scope/memory.events"),  # cgroup v2, systemd
        Path(f"/sys/fs/cgroup/docker/{container.id}/memory.events"),  # cgroup v2, cgroupfs
    ):
        try:
            fields = dict(line.split() for line in events.read_text().splitlines() if len(line.split()) == 2)
        except OSError:
            continue
        return int(fields.get("oom_kill", "0")) > 0
    return False


def _send_stdin(container, data: bytes) -> None:
    """Start the container and stream the job into its standard input, then close it."""
    sock = container.attach_socket(params={"stdin": 1, "stream": 1})
    container.start()
    try:
        raw = getattr(sock, "_sock", sock)
        raw.sendall(data)
        raw.shutdown(socket.SHUT_WR)
    finally:
        _close(sock)


def _close(sock) -> None:
    """Close an SDK socket for real: its wrapper's close() leaves the underlying socket open."""
    if sock is not None:
        getattr(sock, "_sock", sock).close()
        sock.close()


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
    from docker.utils.socket import STDOUT, frames_iter

    budget = max_bytes * 4 + (1 << 20)
    data = io.BytesIO()
    api, sock = container.client.api, None
    try:
        run = api.exec_create(container.id, ["/bin/tar", "-C", "/job", "-cf", "-", "out"], user=SANDBOX_USER, workdir="/")
        sock = api.exec_start(run["Id"], socket=True)
        for stream, chunk in frames_iter(sock, tty=False):
            if stream == STDOUT:
                data.write(chunk)
            if data.tell() > budget:
                return  # more than the artifacts could ever need: take nothing
    except Exception:  # noqa: BLE001 - the container is gone (crash, OOM): the probes report what is missing
        return
    finally:
        _close(sock)
    data.seek(0)
    unpack_out(data, target, max_bytes)


def unpack_out(data: io.BytesIO, target: Path, max_bytes: int) -> int:
    """Write the regular files of an ``out/`` tar under ``target`` (empty folders for anything else); returns the count."""
    target.mkdir(parents=True, exist_ok=True)
    kept = 0
    try:
        archive = tarfile.open(fileobj=data, mode="r:")
    except tarfile.TarError:
        return 0
    with archive:
        try:
            for member in archive:
                parts = Path(member.name).parts
                if member.isdir() or len(parts) < 2 or parts[0] != "out" or any(p in ("..", "", ".") or p.startswith("/") for p in parts):
                    continue
                if member.size > max_bytes or kept >= MAX_OUT_FILES:
                    continue
                destination = target.joinpath(*parts[1:])
                try:  # a file and a folder of the same name: the second one is dropped
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    if member.isreg():
                        source = archive.extractfile(member)
                        assert source is not None  # tarfile gives a reader for every regular file
                        destination.write_bytes(source.read(max_bytes + 1)[:max_bytes])
                    elif not destination.exists():
                        # A link, device or fifo: an empty folder stands in for it, so the host's readers
                        # say "not a regular file", as they do after the local sandbox, never following it.
                        destination.mkdir()
                except OSError:
                    continue
                kept += 1
        except tarfile.TarError:  # a truncated stream (container died mid-copy): keep what came whole
            pass
    return kept


def _count_gpus() -> int:
    import shutil
    import subprocess

    if not shutil.which("nvidia-smi"):
        return 0
    listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30).stdout
    return sum(1 for line in listing.splitlines() if line.startswith("GPU "))
