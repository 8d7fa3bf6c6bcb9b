"""What comes out of a sandbox is read as hostile bytes: no symlinks, no pickles, no bombs, size caps."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from grader.execution.artifacts import read_probe, read_run


def probes_dir(tmp_path):
    folder = tmp_path / "out" / "probes"
    folder.mkdir(parents=True)
    return folder


def test_json_and_npz_round_trip(tmp_path):
    folder = probes_dir(tmp_path)
    np.savez(folder / "p.npz", scores=np.arange(6.0).reshape(2, 3))
    (folder / "p.json").write_text(json.dumps({"ok": True, "values": {"n": 2}, "arrays": ["scores"]}))
    data = read_probe(tmp_path / "out", "p", 1_000_000)
    assert data.ok and data.values["n"] == 2 and data.values["scores"].shape == (2, 3)


def test_symlink_is_refused_not_followed(tmp_path):
    folder = probes_dir(tmp_path)
    secret = tmp_path / "host-secret.json"
    secret.write_text(json.dumps({"ok": True, "values": {"stolen": 1}}))
    os.symlink(secret, folder / "p.json")
    data = read_probe(tmp_path / "out", "p", 1_000_000)
    assert not data.ok and "not a regular file" in data.error


def test_symlinked_folder_under_out_is_refused_not_followed(tmp_path):
    # The attacker's kernel swaps out/probes for a link to a folder of its choosing (another job's
    # results, a forged probe): the last component is a regular file, so only a walk that refuses
    # links at every step sees the trick.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "p.json").write_text(json.dumps({"ok": True, "values": {"stolen": 1}}))
    (tmp_path / "out").mkdir()
    os.symlink(elsewhere, tmp_path / "out" / "probes")
    data = read_probe(tmp_path / "out", "p", 1_000_000)
    assert not data.ok and "probes/ is not a folder" in data.error
    os.symlink(tmp_path / "out", tmp_path / "linked-out")
    assert "not a folder" in read_probe(tmp_path / "linked-out", "p", 1_000_000).error


def test_fifo_artifact_is_refused_without_blocking(tmp_path):
    folder = probes_dir(tmp_path)
    os.mkfifo(folder / "p.json")  # opening a FIFO for reading waits for a writer unless told not to
    (tmp_path / "out" / "run.json").mkdir()
    assert "not a regular file" in read_probe(tmp_path / "out", "p", 1_000_000).error
    assert read_run(tmp_path / "out") is None


def test_pickled_object_array_is_refused(tmp_path):
    folder = probes_dir(tmp_path)
    np.savez(folder / "p.npz", evil=np.array([{"a": 1}], dtype=object))
    (folder / "p.json").write_text(json.dumps({"ok": True, "arrays": ["evil"]}))
    data = read_probe(tmp_path / "out", "p", 1_000_000)
    assert not data.ok and "without pickles" in data.error


def test_zip_bomb_is_refused_before_unpacking(tmp_path):
    folder = probes_dir(tmp_path)
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(5_000_000))
    with zipfile.ZipFile(folder / "p.npz", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.npy", buffer.getvalue())
    (folder / "p.json").write_text(json.dumps({"ok": True, "arrays": ["big"]}))
    assert (folder / "p.npz").stat().st_size < 1_000_000
    data = read_probe(tmp_path / "out", "p", 1_000_000)
    assert not data.ok and "unpacks to more than" in data.error


def test_oversized_and_malformed_json(tmp_path):
    folder = probes_dir(tmp_path)
    (folder / "big.json").write_text(json.dumps({"ok": True, "values": {"x": "y" * 5000}}))
    (folder / "odd.json").write_text(json.dumps({"ok": "maybe", "extra": 1}))
    assert "over the" in read_probe(tmp_path / "out", "big", 1000).error
    assert "malformed" in read_probe(tmp_path / "out", "odd", 1_000_000).error
    assert "before this was collected" in read_probe(tmp_path / "out", "absent", 1000).error


def test_probe_runtime_writes_only_plain_data(tmp_path):
    """The injected runtime itself, run here in a fake kernel namespace: tensors and arrays become npz."""
    import grader.execution.probe_runtime as runtime_module

    source = Path(runtime_module.__file__).read_text()
    namespace = {"get_ipython": lambda: type("K", (), {"user_ns": {"f": lambda v: v * 2}})()}
    exec(compile(source, "probe_runtime.py", "exec"), namespace)
    probes = "def p(ns, inputs):\n    return {'out': ns['f'](inputs['x']), 'meta': {'n': 3, 'names': ['a', 'b']}}\ndef bad(ns, inputs):\n    return {'obj': object()}\n"
    (tmp_path / "inputs").mkdir()
    np.savez(tmp_path / "inputs" / "p.npz", x=np.arange(3.0))
    probes_out = probes_dir(tmp_path)
    run = namespace["__grader_install"](str(probes_out), str(tmp_path / "inputs"), probes, 1_000_000)
    run("p", "p")
    run("bad", "bad")
    good = read_probe(tmp_path / "out", "p", 1_000_000)
    assert good.ok and list(good.values["out"]) == [0.0, 2.0, 4.0] and good.values["meta.n"] == 3 and good.values["meta.names"] == ["a", "b"]
    bad = read_probe(tmp_path / "out", "bad", 1_000_000)
    assert not bad.ok and "not numeric data" in bad.error
