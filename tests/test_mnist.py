"""The shipped MNIST: verified bytes, keras-like shapes, and test labels withheld inside the sandbox."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from grader.datasets import mnist


def test_digests_in_code_match_the_published_sums():
    lines = (mnist.package_dir() / "SHA256SUMS").read_text().split("\n")
    published = {name: digest for digest, name in (line.split() for line in lines if line.strip())}
    assert published == mnist.DIGESTS


def test_load_data_like_keras():
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == y_test.dtype == np.uint8
    assert set(np.unique(y_test)) == set(range(10))


def test_withheld_labels_in_a_sandbox_data_dir(tmp_path, monkeypatch):
    target = tmp_path / "mnist"
    target.mkdir()
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"):
        shutil.copy(mnist.package_dir() / name, target / name)
    monkeypatch.setenv("GRADER_DATA_DIR", str(tmp_path))
    with pytest.warns(UserWarning, match="withheld"):
        (_, _), (x_test, y_test) = mnist.load_data()
    assert y_test.shape == (10000,) and np.all(y_test == mnist.WITHHELD_LABEL)


def test_damaged_copy_is_refused(tmp_path, monkeypatch):
    import gzip

    target = tmp_path / "mnist"
    target.mkdir()
    (target / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x01" + b"\x00" * 100))
    monkeypatch.setenv("GRADER_DATA_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="does not match SHA256SUMS"):
        mnist.load_data()
