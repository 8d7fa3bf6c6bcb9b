"""What a worker sends back from out/, and how the host lays it down: hostile out/ folders as a
student's code would leave them, read by the host's own capped readers. No Dask needed."""

from __future__ import annotations

import os
import sys

import pytest

from grader.distributed.dask import JobReturn, collect_out, pack_job, unpack_out
from grader.errors import SandboxUnavailable
from grader.execution import artifacts
from grader.sandbox.base import SandboxOutcome

CAP = 4096


def through_the_wire(out_dir, job_dir, cap=CAP) -> JobReturn:
    returned = JobReturn(outcome=SandboxOutcome(status="exited", exit_code=0, wall_s=1.0, backend="local"), **collect_out(out_dir, cap, 4 * cap))
    unpack_out(returned, job_dir)
    return returned


def test_plain_probe_data_arrives_as_written(tmp_path):
    out = tmp_path / "worker" / "out"
    (out / "probes").mkdir(parents=True)
    (out / "run.json").write_text('{"finished": true}')
    (out / "probes" / "double.json").write_text('{"ok": true, "values": {"out": [2.0, 4.0]}}')
    through_the_wire(out, tmp_path / "host")
    assert artifacts.read_probe(tmp_path / "host" / "out", "double", CAP).values == {"out": [2.0, 4.0]}
    assert artifacts.read_run(tmp_path / "host" / "out").finished


def test_planted_links_fifos_and_odd_names_never_travel(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text('{"ok": true, "values": {"out": [1.0]}}')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "double.json").write_text(secret.read_text())
    out = tmp_path / "worker" / "out"
    out.mkdir(parents=True)
    os.symlink(secret, out / "run.json")
    os.symlink(elsewhere, out / "probes")  # the whole probes folder swapped for a link
    os.mkfifo(out / "pipe")  # opening it would block the worker forever
    (out / ".hidden").write_text("x")
    returned = through_the_wire(out, tmp_path / "host")
    assert returned.out_files == {} and sorted(returned.refused) == [".hidden", "pipe", "probes", "run.json"]
    assert artifacts.read_run(tmp_path / "host" / "out") is None
    assert not artifacts.read_probe(tmp_path / "host" / "out", "double", CAP).ok


def test_oversized_artifact_is_rejected_by_the_host_reader_without_being_sent(tmp_path):
    out = tmp_path / "worker" / "out"
    (out / "probes").mkdir(parents=True)
    (out / "probes" / "double.json").write_text('{"ok": true, "values": {"out": [' + "1.0, " * 4000 + "1.0]}}")
    returned = through_the_wire(out, tmp_path / "host")
    assert returned.out_files == {} and "probes/double.json" in returned.oversized
    item = artifacts.read_probe(tmp_path / "host" / "out", "double", CAP)
    assert not item.ok and "over the 4096 byte limit" in item.error


def test_a_forged_return_cannot_write_outside_out(tmp_path):
    job = tmp_path / "host"
    forged = JobReturn(
        outcome=SandboxOutcome(status="exited", wall_s=0.0, backend="local"),
        out_files={"../escaped": b"x", "probes/../../escaped2": b"x", "/tmp/abs": b"x", "work/w": b"x", "probes/ok.json": b"{}"},
        oversized={"../big": 10**12},
    )
    unpack_out(forged, job)
    written = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file())
    assert written == ["host/out/probes/ok.json"]


def test_pack_job_sends_job_files_and_names_the_shared_data(tmp_path):
    for name in ("job.json", "notebook.ipynb", "probes.py", "inputs/double.npz", "data/mnist/train-images-idx3-ubyte.gz", "work/left.txt", "out/run.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(name.encode())
    files, shared = pack_job(tmp_path)
    assert sorted(files) == ["job.json", "notebook.ipynb", "probes.py"]
    assert shared == ["data/mnist/train-images-idx3-ubyte.gz", "inputs/double.npz"]


def test_without_dask_the_error_names_the_extra(monkeypatch):
    from grader.distributed.dask import connect

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    with pytest.raises(SandboxUnavailable, match=r"pip install 'grader\[cluster\]'"):
        connect("local:1", "local", [])


def test_gpu_request_comes_from_the_rubric_then_the_command_line():
    from grader.distributed.dask import gpu_request
    from grader.settings import Limits

    assert gpu_request(Limits(gpu=2), "1") == 2
    assert [gpu_request(Limits(), gpus) for gpus in (None, "1", "3", "all")] == [0, 1, 3, 1]


@pytest.mark.parametrize("address", ["local:0", "local:two"])
def test_a_local_cluster_needs_a_number_of_workers(address):
    pytest.importorskip("distributed")
    from grader.distributed.dask import connect

    with pytest.raises(SandboxUnavailable, match="expected local or local:N"):
        connect(address, "local", [])
