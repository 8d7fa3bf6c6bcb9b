"""The Docker backend against a real engine: the image, the container's locks, limits, clean-up, GPUs.

Tests marked ``docker`` skip only when no engine can be reached (the reason is printed with ``-rs``);
with an engine they build the image (cached) and run real containers. The hostile notebooks run against
this backend in test_adversarial.py. The archive filter and the GPU allocator need no engine.
"""

from __future__ import annotations

import io
import tarfile
import threading
import time

import pytest

from grader.errors import SandboxUnavailable
from grader.execution import artifacts
from grader.execution.loading import load_notebook
from grader.pipeline import choose_inputs, write_job
from grader.sandbox.docker import LABEL, DockerSandbox, GpuPool, engine, unpack_out
from grader.settings import Limits
from tests.conftest import GOOD_CELLS, grade_cells, write_notebook

docker = pytest.mark.docker


def make_job(tmp_path, assignment, cells, **spec_changes):
    """A job folder exactly as the pipeline writes it; ``spec_changes`` override job.json fields."""
    notebook, _ = load_notebook(write_notebook(tmp_path / "submission.ipynb", cells))
    job_dir = tmp_path / "job"
    spec = write_job(job_dir, notebook, assignment, assignment.rubric.probes_for(assignment.rubric.checks), choose_inputs(assignment))
    if spec_changes:
        (job_dir / "job.json").write_text(spec.model_copy(update=spec_changes).model_dump_json())
    return job_dir


@pytest.fixture
def created(docker_sandbox, monkeypatch):
    """Names and inspected settings of the containers the sandbox creates during one test."""
    seen: dict[str, dict] = {}
    original = docker_sandbox._create

    def recording(limits, gpu_ids, name):
        container = original(limits, gpu_ids, name)
        seen[name] = docker_sandbox.client.api.inspect_container(container.id)
        return container

    monkeypatch.setattr(docker_sandbox, "_create", recording)
    return seen


def still_there(sandbox, names) -> list:
    return [c for name in names for c in sandbox.client.containers.list(all=True, filters={"name": name})]


# -- the image ------------------------------------------------------------------------------------
@docker
def test_image_holds_no_evaluation_labels_and_runs_as_a_user(docker_sandbox):
    script = (
        "import os, pathlib;"
        "found = [str(p) for top in ('/opt', '/usr', '/etc', '/srv', '/home', '/root') if os.access(top, os.R_OK)"
        " for p in pathlib.Path(top).rglob('*') if p.name.startswith('t10k-') and 'public' not in p.name or p.name == 'rubrics'];"
        "print(os.getuid(), found, pathlib.Path('/opt/grader/grader/datasets/data/mnist/train-labels-idx1-ubyte.gz').exists())"
    )
    output = docker_sandbox.client.containers.run(docker_sandbox.image, ["python", "-c", script], remove=True, network_mode="none", labels={LABEL: "image-check"})
    assert output.decode().split(None, 1) == ["1000", "[] True\n"]


@docker
def test_image_tag_is_a_content_hash_and_rebuilding_is_skipped(docker_sandbox):
    from grader.sandbox.images import build_image, image_tag

    assert docker_sandbox.image == image_tag() and docker_sandbox.image.startswith("grader-sandbox:")
    started = time.monotonic()
    assert build_image(client=docker_sandbox.client) == docker_sandbox.image
    assert time.monotonic() - started < 10


# -- one container per job, locked down ----------------------------------------------------------
@docker
def test_container_is_locked_down_and_removed(docker_sandbox, tiny, tmp_path, created):
    result = grade_cells(tmp_path, tiny, docker_sandbox, GOOD_CELLS)
    assert result.score == 9 and result.run.status == "completed"
    assert docker_sandbox.image in result.run.sandbox  # the result names the image that graded it
    [(name, settings)] = created.items()
    host, config = settings["HostConfig"], settings["Config"]
    limits = tiny.rubric.resources
    assert host["NetworkMode"] == "none" and config["User"] == "1000:1000"
    assert host["CapDrop"] == ["ALL"] and host["SecurityOpt"] == ["no-new-privileges"]
    assert host["ReadonlyRootfs"] is True and not host.get("Binds") and not settings["Mounts"]
    assert host["Memory"] == host["MemorySwap"] == limits.memory_mb << 20
    assert host["PidsLimit"] == limits.processes and host["NanoCpus"] > 0
    assert set(host["Tmpfs"]) == {"/tmp", "/job", "/job/work"} and f"size={limits.scratch_mb}m" in host["Tmpfs"]["/job/work"]
    assert host["LogConfig"]["Config"]["max-size"] == "1m"
    assert config["Labels"][LABEL] == name
    assert still_there(docker_sandbox, created) == []


@docker
def test_same_scores_as_the_local_sandbox(docker_sandbox, local_sandbox, tiny, tmp_path):
    cells = [("def double(x):\n    return 2 * x if x > 0 else x", ["ex1"]), ("def greeting():\n    return 'bye'", ["ex2"])]
    results = [grade_cells(tmp_path / name, tiny, sandbox, cells) for name, sandbox in (("docker", docker_sandbox), ("local", local_sandbox))]
    docker_checks, local_checks = ([(c.check_id, c.status, c.points_awarded) for c in r.checks] for r in results)
    assert docker_checks == local_checks and results[0].score == results[1].score


@docker
def test_cpu_time_is_measured_per_container(docker_sandbox, tiny, tmp_path):
    idle = grade_cells(tmp_path / "idle", tiny, docker_sandbox, GOOD_CELLS)
    busy = grade_cells(tmp_path / "busy", tiny, docker_sandbox, ["total = 0\nfor step in range(3 * 10 ** 7):\n    total += step", *GOOD_CELLS])
    # A ratio, not seconds (as for the local sandbox): the loop's CPU is counted in the container's group.
    assert busy.run.timings["sandbox_cpu"] > 1.3 * idle.run.timings["sandbox_cpu"] > 0


@docker
def test_wall_limit_stops_the_run_and_keeps_what_it_wrote(docker_sandbox, tiny, tmp_path, created):
    # Cell limits far above the wall limit: only the host's clock can stop this run.
    job_dir = make_job(tmp_path, tiny, [GOOD_CELLS[0], "import time\ntime.sleep(10 ** 6)"], cell_timeout=600, notebook_timeout=600)
    outcome = docker_sandbox.run(job_dir, tiny.rubric.resources, wall_limit=12)
    assert outcome.status == "timeout", outcome
    assert 12 <= outcome.wall_s < 12 + 15
    run = artifacts.read_run(job_dir / "out")
    assert run is not None and not run.finished and run.cells[0].status == "ok"
    assert still_there(docker_sandbox, created) == []


@docker
def test_wall_limit_holds_at_the_pids_limit(docker_sandbox, tiny, tmp_path, created):
    fork_until_refused = "import os, time\nwhile True:\n    try:\n        if os.fork() == 0:\n            time.sleep(10 ** 6)\n    except OSError:\n        time.sleep(10 ** 6)"
    job_dir = make_job(tmp_path, tiny, [GOOD_CELLS[0], fork_until_refused], cell_timeout=600, notebook_timeout=600)
    outcome = docker_sandbox.run(job_dir, tiny.rubric.resources, wall_limit=12)
    assert outcome.status == "timeout", outcome
    assert artifacts.read_run(job_dir / "out") is not None  # stopped by a signal: no new process was needed
    assert still_there(docker_sandbox, created) == []


@docker
def test_ctrl_c_still_removes_the_container(docker_sandbox, tiny, tmp_path, created, monkeypatch):
    def interrupted(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(docker_sandbox, "_wait", interrupted)
    with pytest.raises(KeyboardInterrupt):
        docker_sandbox.run(make_job(tmp_path, tiny, GOOD_CELLS), tiny.rubric.resources, wall_limit=60)
    assert created and still_there(docker_sandbox, created) == []


@docker
def test_ctrl_c_during_creation_still_removes_the_container(docker_sandbox, tiny, tmp_path, created, monkeypatch):
    recording = docker_sandbox._create

    def created_then_interrupted(limits, gpu_ids, name):
        recording(limits, gpu_ids, name)
        raise KeyboardInterrupt  # the engine made it, but the grader never got its handle

    monkeypatch.setattr(docker_sandbox, "_create", created_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        docker_sandbox.run(make_job(tmp_path, tiny, GOOD_CELLS), tiny.rubric.resources, wall_limit=60)
    assert created and still_there(docker_sandbox, created) == []


# -- the engine and GPUs: one line when something is missing ---------------------------------------
def test_no_engine_is_one_line_and_auto_falls_back(monkeypatch):
    from grader.sandbox import get_sandbox

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(SandboxUnavailable) as why:
        engine()
    assert "\n" not in str(why.value) and "no Docker engine answers" in str(why.value)
    with pytest.raises(SandboxUnavailable):
        get_sandbox("docker")
    assert get_sandbox("auto").name == "local"


@docker
def test_gpus_without_an_nvidia_runtime_say_so(docker_sandbox, tiny, tmp_path):
    if "nvidia" in (docker_sandbox.client.info().get("Runtimes") or {}):
        pytest.skip("this engine has an NVIDIA runtime; the missing-runtime message cannot be shown here")
    with pytest.raises(SandboxUnavailable, match="no NVIDIA runtime") as why:
        DockerSandbox.connect(gpus="1")
    assert "\n" not in str(why.value)
    # A rubric asking for a GPU (resources.gpu) meets the same line, as that submission's error.
    plain = DockerSandbox(docker_sandbox.client, docker_sandbox.image)
    with pytest.raises(SandboxUnavailable, match="no NVIDIA runtime"):
        plain.run(make_job(tmp_path, tiny, GOOD_CELLS), Limits(gpu=1), wall_limit=30)


def test_gpu_pool_gives_each_job_its_own_gpus():
    pool = GpuPool("1", available=2)
    first, second = pool.acquire(), pool.acquire()
    assert sorted(first + second) == [0, 1]
    third: list[list[int]] = []
    waiter = threading.Thread(target=lambda: third.append(pool.acquire()))
    waiter.start()
    time.sleep(0.2)
    assert third == []  # no free GPU: the third job waits rather than share
    pool.release(first)
    waiter.join(5)
    assert third == [first]


def test_gpu_pool_shares_only_when_asked():
    pool = GpuPool("all", available=2)
    assert pool.acquire() == pool.acquire() == [0, 1]
    with pytest.raises(SandboxUnavailable, match="3 GPU"):
        GpuPool("3", available=2)
    with pytest.raises(SandboxUnavailable, match="2 GPU"):
        GpuPool(None, available=1).acquire(2)


# -- what comes back out: regular files only -------------------------------------------------------
def _tar(members) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, kind, payload in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.REGTYPE:
                info.size = len(payload)
                archive.addfile(info, io.BytesIO(payload))
            else:
                info.linkname = payload.decode()
                archive.addfile(info)
    buffer.seek(0)
    return buffer


def test_only_regular_files_inside_out_come_back(tmp_path):
    archive = _tar(
        [
            ("out/run.json", tarfile.REGTYPE, b"{}"),
            ("out/probes/double.json", tarfile.SYMTYPE, b"/etc/passwd"),
            ("out/probes/hard.json", tarfile.LNKTYPE, b"out/run.json"),
            ("out/probes/dev", tarfile.CHRTYPE, b""),
            ("out/probes/fifo", tarfile.FIFOTYPE, b""),
            ("out/../../escape.json", tarfile.REGTYPE, b"x"),
            ("/etc/cron.d/evil", tarfile.REGTYPE, b"x"),
            ("elsewhere/file.json", tarfile.REGTYPE, b"x"),
            ("out/probes/big.npz", tarfile.REGTYPE, b"x" * 101),
            ("out/probes/greeting.json", tarfile.REGTYPE, b'{"ok": true}'),
        ]
    )
    target = tmp_path / "job" / "out"
    assert unpack_out(archive, target, max_bytes=100) == 6
    kept = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file() or p.is_symlink())
    assert kept == ["job/out/probes/greeting.json", "job/out/run.json"]
    # Links, devices and fifos leave an empty folder: the artifact readers refuse it by name.
    standing_in = sorted(p.name for p in (target / "probes").iterdir() if p.is_dir())
    assert standing_in == ["dev", "double.json", "fifo", "hard.json"]
    assert artifacts.read_probe(target, "double", 1000).error == "its data was rejected (double.json is not a regular file)"


def test_out_files_are_capped_in_number_and_garbage_is_ignored(tmp_path):
    from grader.sandbox.docker import MAX_OUT_FILES

    many = _tar([(f"out/probes/p{i}.json", tarfile.REGTYPE, b"{}") for i in range(MAX_OUT_FILES + 20)])
    assert unpack_out(many, tmp_path / "a", max_bytes=100) == MAX_OUT_FILES
    assert unpack_out(io.BytesIO(b"not a tar at all" * 100), tmp_path / "b", max_bytes=100) == 0
    truncated = io.BytesIO(_tar([("out/run.json", tarfile.REGTYPE, b"{}" * 2000)]).getvalue()[:1500])
    assert unpack_out(truncated, tmp_path / "c", max_bytes=10_000) == 0


def test_registry_dockerfile_pins_what_the_offline_image_installs():
    from grader.sandbox.images import PACKAGE_ROOT, requirements

    dockerfile = (PACKAGE_ROOT / "sandbox" / "Dockerfile").read_text()
    pinned = sorted(word for word in dockerfile.replace("\\", " ").split() if "==" in word)
    assert pinned == sorted(requirements())
    assert "t10k-labels-idx1-ubyte.gz" in dockerfile and "t10k-images-idx3-ubyte.gz" in dockerfile and "USER 1000:1000" in dockerfile


# -- the Gradescope bundle in a container like Gradescope's ------------------------------------------
@docker
def test_gradescope_bundle_in_a_root_container_without_namespaces(docker_sandbox, tiny_course, tmp_path):
    """As on Gradescope: run_autograder as root in a plain container, where no namespaces can be made.

    The grader stays root; the student's code runs as another uid and can neither write results.json
    nor read the bundle (rubric, staff code, the reference's data).
    """
    import json

    from grader import api
    from tests.lms.test_gradescope_autograder import autograder_root, metadata

    bundle = api.gradescope_bundle("tiny", tmp_path / "tiny.zip", course=tiny_course)
    hostile = [
        *GOOD_CELLS,
        "open('/autograder/results/results.json', 'w').write('{\"score\": 100, \"tests\": []}')",
        "print(open('/autograder/source/course/rubrics/tiny.yaml').read())",
    ]
    root = autograder_root(bundle, tmp_path / "autograder", hostile, metadata("2026-11-20T10:00:00-08:00"))
    docker_sandbox.client.containers.run(
        docker_sandbox.image,
        ["/autograder/source/run_autograder"],
        user="0",
        remove=True,
        network_mode="none",
        environment={"GRADER_PYTHON": "/opt/venv/bin/python"},
        volumes={str(root): {"bind": "/autograder", "mode": "rw"}},
        labels={LABEL: "gradescope-check"},
    )
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 9
    assert "Cell 3 raised PermissionError: [Errno 13] Permission denied: '/autograder/results/results.json'." in results["output"]
    assert "Cell 4 raised PermissionError: [Errno 13] Permission denied: '/autograder/source/course/rubrics/tiny.yaml'." in results["output"]
    assert "Sandbox: local (best effort, no namespaces allowed here: pooled unprivileged uid; rlimits and a memory watchdog)" in results["output"]
