"""Grading on a real Dask cluster (scheduler and workers are real processes on 127.0.0.1, see conftest).

Same scores as the local pool; a worker killed mid-batch loses no student and grades none twice; GPU
jobs go only to a worker that advertises a GPU; nothing that must stay on the TA's machine reaches a worker.
"""

from __future__ import annotations

import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from grader import api
from grader.errors import SandboxUnavailable
from tests.conftest import GOOD_CELLS, grade_cells, make_tiny_course, write_notebook
from tests.distributed.conftest import start_dask
from tests.test_api import make_batch, rows

pytestmark = pytest.mark.dask


def verdicts(summary) -> dict:
    return {r.student: (r.score, r.graded, [(c.check_id, c.status, c.points_awarded, c.reason) for c in r.checks]) for r in summary.results}


def landed(database) -> list[tuple[str, float]]:
    """Gradebook rows so far; none while the file is still being created."""
    try:
        return rows(database) if database.exists() else []
    except sqlite3.OperationalError:
        return []


def test_cluster_gives_the_same_scores_as_the_local_pool(dask_cluster, tiny_course, tmp_path):
    make_batch(tmp_path / "subs")
    pooled = api.grade(tmp_path / "subs", "tiny", tmp_path / "pool", jobs=2, course=tiny_course, progress=False)
    clustered = api.grade(tmp_path / "subs", "tiny", tmp_path / "cluster", course=tiny_course, progress=False, cluster=dask_cluster.address)
    assert verdicts(clustered) == verdicts(pooled)
    assert {r.student: r.score for r in clustered.results} == {"good0": 9, "good1": 9, "crash": 3, "broken": 0}
    assert clustered.sandbox.startswith(f"dask cluster {dask_cluster.address} (2 workers")
    ran = [r for r in clustered.results if r.run is not None]
    assert len(ran) == 3 and all("; dask worker tcp://127.0.0.1:" in r.run.sandbox for r in ran)
    assert rows(tmp_path / "cluster" / "gradebook.sqlite") == rows(tmp_path / "pool" / "gradebook.sqlite")


def test_gpu_jobs_run_only_on_the_worker_that_advertises_a_gpu(dask_cluster, tiny_course, tmp_path):
    rubric = tiny_course / "rubrics" / "tiny.yaml"
    rubric.write_text(rubric.read_text().replace("resources: {memory_mb", "resources: {gpu: 1, memory_mb"))
    for index in range(3):
        write_notebook(tmp_path / "subs" / f"s{index}.ipynb", GOOD_CELLS)
    summary = api.grade(tmp_path / "subs", "tiny", tmp_path / "out", jobs=3, course=tiny_course, progress=False, cluster=dask_cluster.address)
    gpu_worker = dask_cluster.worker_address("gpu")
    assert [r.score for r in summary.results] == [9, 9, 9]
    assert all(r.run.sandbox.endswith(f"; dask worker {gpu_worker}") for r in summary.results)
    assert "1 GPU per job" in summary.sandbox


def test_jobs_needing_more_gpus_than_any_worker_has_fail_at_once(dask_cluster, tiny_course, tmp_path):
    rubric = tiny_course / "rubrics" / "tiny.yaml"
    rubric.write_text(rubric.read_text().replace("resources: {memory_mb", "resources: {gpu: 2, memory_mb"))
    write_notebook(tmp_path / "subs" / "s0.ipynb", GOOD_CELLS)
    with pytest.raises(SandboxUnavailable, match="need 2 GPU each, but no worker advertises that many"):
        api.grade(tmp_path / "subs", "tiny", tmp_path / "out", course=tiny_course, progress=False, cluster=dask_cluster.address)
    assert rows(tmp_path / "out" / "gradebook.sqlite") == []


def test_nothing_held_back_reaches_a_worker(dask_cluster, tmp_path):
    from grader.datasets import mnist
    from grader.pipeline import GRADER_DATA, choose_inputs
    from grader.rubric import load_assignment
    from tests.distributed.payload_spy import PayloadSpy

    course = make_tiny_course(tmp_path)
    rubric, judges = course / "rubrics" / "tiny.yaml", course / "rubrics" / "tiny" / "judges.py"
    rubric.write_text(rubric.read_text().replace("seed: 3", "seed: 3\ndata: [mnist]"))
    # The input maker holds back real labels: the kind of array a leak would carry.
    judges.write_text(judges.read_text().replace('return {"x": rng.normal(size=5)}, {}', 'return {"x": rng.normal(size=5)}, {"labels": data.mnist_held_test[1][:4000]}'))
    write_notebook(course / "reference" / "tiny" / "tiny.ipynb", [("# reference-only marker 5b1e\n" + GOOD_CELLS[0][0], ["ex1"]), GOOD_CELLS[1]])
    for index in range(2):
        write_notebook(tmp_path / "subs" / f"s{index}.ipynb", GOOD_CELLS)
    spied = tmp_path / "spied"
    spied.mkdir()
    with dask_cluster.client() as client:
        client.register_plugin(PayloadSpy(str(spied)))
        try:
            summary = api.grade(tmp_path / "subs", "tiny", tmp_path / "out", course=course, progress=False, cluster=dask_cluster.address)
        finally:
            client.unregister_worker_plugin("payload-spy")
    assert [r.score for r in summary.results] == [9, 9]
    received = [path.read_bytes() for path in spied.iterdir()]
    tasks = [blob for blob in received if b"grader.distributed.dask" in blob and b"run_job" in blob]
    assert len(tasks) == 2, "one task per student, each seen by the spy"
    everything = b"".join(received)
    inputs = choose_inputs(load_assignment("tiny", course))
    # What must travel does: the data, the probes, the grader-chosen inputs (so the spy sees it all)...
    assert (mnist.package_dir() / "train-images-idx3-ubyte.gz").read_bytes() in everything
    assert b"def double(ns, inputs)" in everything and inputs.sent["double"]["x"].tobytes() in everything
    # ...and what must not, does not: the held labels (file or array), the reference, the judges.
    held_labels = inputs.held["double"]["labels"].tobytes()
    assert held_labels == GRADER_DATA.mnist_held_test[1][:4000].tobytes()
    assert held_labels[:1000] not in everything and held_labels[-1000:] not in everything
    test_labels_file = (mnist.package_dir() / "t10k-labels-idx1-ubyte.gz").read_bytes()
    assert test_labels_file[-4096:] not in everything and b"t10k-labels" not in everything
    assert b"reference-only marker" not in everything and b"def twice(" not in everything and b"says_hello" not in everything
    assert all(isinstance(pickle.loads(blob), dict) for blob in received)


def test_worker_killed_mid_batch_every_student_graded_exactly_once(tiny_course, tmp_path):
    cluster = start_dask(tmp_path / "dask", {"first": [], "second": []})
    try:
        students = [f"s{index}" for index in range(6)]
        for student in students:
            write_notebook(tmp_path / "subs" / f"{student}.ipynb", [*GOOD_CELLS, "import time\ntime.sleep(2)"])
        database = tmp_path / "out" / "gradebook.sqlite"
        outcome: dict = {}

        def batch():
            try:
                outcome["summary"] = api.grade(tmp_path / "subs", "tiny", tmp_path / "out", course=tiny_course, progress=False, cluster=cluster.address)
            except BaseException as problem:  # noqa: BLE001 - reported by the assertion below
                outcome["error"] = problem

        grading = threading.Thread(target=batch)
        grading.start()
        killed = None
        with cluster.client() as client:
            deadline = time.monotonic() + 240
            while killed is None and time.monotonic() < deadline and grading.is_alive():
                busy = [address for address, keys in client.processing().items() if any(str(key).startswith("grader-job-") for key in keys)]
                if landed(database) and busy:
                    names = {address: str(info["name"]) for address, info in client.scheduler_info(n_workers=-1)["workers"].items()}
                    killed, killed_address = names[busy[0]], busy[0]
                    cluster.kill(killed)
                    time.sleep(1)  # a result fetched just before the kill may still be on its way into the gradebook
                    landed_by_then = {student for student, _ in landed(database)}
                time.sleep(0.2)
        grading.join(timeout=400)
        assert killed is not None, "no worker was busy mid-batch"
        assert not grading.is_alive() and "error" not in outcome, outcome.get("error")
        summary = outcome["summary"]
        assert sorted(summary.graded) == students  # each student landed once
        assert rows(database) == [(student, 9.0) for student in students], verdicts(summary)
        with sqlite3.connect(database) as connection:
            assert connection.execute("SELECT COUNT(*) FROM results").fetchone() == (6,)
        # The job the killed worker was running was run again elsewhere, not taken from the dead worker.
        on_killed = {r.student for r in summary.results if r.run.sandbox.endswith(f"; dask worker {killed_address}")}
        assert on_killed <= landed_by_then and len(landed_by_then) < len(students)
    finally:
        cluster.stop()


def test_shared_data_lost_with_its_worker_is_sent_again(tiny, tmp_path):
    from grader.distributed.dask import connect

    cluster = start_dask(tmp_path / "dask", {"first": [], "second": []})
    try:
        with connect(cluster.address, "local", hide=[]) as runner, cluster.client() as client:
            assert grade_cells(tmp_path, tiny, runner, GOOD_CELLS, name="s0").score == 9
            scattered = list(runner._shared.values())
            assert scattered, "the rubric's inputs travel as scattered data"
            # Dask keeps one copy of scattered data (its memory manager drops the spare one a worker fetched).
            deadline = time.monotonic() + 60
            while len(holders := set().union(*client.who_has(scattered).values())) != 1 and time.monotonic() < deadline:
                time.sleep(0.5)
            assert len(holders) == 1, holders
            names = {address: str(info["name"]) for address, info in client.scheduler_info(n_workers=-1)["workers"].items()}
            cluster.kill(names[holders.pop()])
            result = grade_cells(tmp_path, tiny, runner, GOOD_CELLS, name="s1")
            assert result.score == 9, [(c.check_id, c.reason) for c in result.checks]
    finally:
        cluster.stop()


def test_killed_client_keeps_what_landed_and_a_rerun_resumes(dask_cluster, tiny_course, tmp_path):
    students = [f"s{index}" for index in range(4)]
    for student in students:
        write_notebook(tmp_path / "subs" / f"{student}.ipynb", [*GOOD_CELLS, "import time\ntime.sleep(1)"])
    database = tmp_path / "out" / "gradebook.sqlite"
    command = [sys.executable, "-m", "grader", "--course", str(tiny_course), "grade", str(tmp_path / "subs"), "-a", "tiny", "--out", str(tmp_path / "out"), "--cluster", dask_cluster.address]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not landed(database) and process.poll() is None:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done_before = landed(database)
    assert 1 <= len(done_before) < len(students)
    summary = api.grade(tmp_path / "subs", "tiny", tmp_path / "out", course=tiny_course, progress=False, cluster=dask_cluster.address)
    assert sorted(summary.skipped) == sorted(student for student, _ in done_before)
    assert sorted(summary.graded + summary.skipped) == students
    assert rows(database) == [(student, 9.0) for student in students]


def test_unreachable_scheduler_is_one_line_error(tiny_course, tmp_path):
    import socket

    from tests.test_cli import assert_one_line_error, run_cli

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: nothing answers there
        write_notebook(tmp_path / "subs" / "s0.ipynb", GOOD_CELLS)
        done = run_cli("--course", str(tiny_course), "grade", str(tmp_path / "subs"), "-a", "tiny", "--out", str(tmp_path / "out"), "--cluster", f"tcp://127.0.0.1:{port}")
    assert_one_line_error(done, f"--cluster tcp://127.0.0.1:{port}: no Dask scheduler answered")
