"""The shipped MNIST: verified bytes, keras-like shapes, and the test split (the held half never enters a sandbox)."""

from __future__ import annotations

import hashlib
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


def test_the_split_is_fixed_disjoint_and_covers_the_test_set():
    images, labels = mnist.load_part("test_images"), mnist.load_part("test_labels")
    held = np.array([mnist.is_held(index) for index in range(len(images))])
    assert 4900 < held.sum() < 5100  # about half, every digit in both halves
    public_images, public_labels = mnist.public_test_set()
    held_images, held_labels = mnist.held_test_set()
    assert np.array_equal(public_images, images[~held]) and np.array_equal(held_labels, labels[held])
    assert set(np.unique(public_labels)) == set(np.unique(held_labels)) == set(range(10))
    digest = hashlib.sha256(public_images.tobytes() + public_labels.tobytes()).hexdigest()
    assert digest == mnist.PUBLIC_TEST_DIGEST


def test_a_sandbox_data_dir_gets_the_public_half_with_real_labels(tmp_path, monkeypatch):
    from grader.pipeline import _provide_data

    _provide_data(tmp_path, ["mnist"])
    assert sorted(path.name for path in (tmp_path / "data" / "mnist").iterdir()) == [mnist.PUBLIC_TEST_FILE, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    monkeypatch.setenv("GRADER_DATA_DIR", str(tmp_path / "data"))
    (_, _), (x_test, y_test) = mnist.load_data()
    assert x_test.shape == (len(y_test), 28, 28) and len(y_test) == len(mnist.public_test_set()[1])
    assert np.eye(10)[y_test].shape == (len(y_test), 10)  # the common one-hot idiom works
    held_images, _ = mnist.held_test_set()
    public_rows = {row.tobytes() for row in x_test}
    assert not any(image.tobytes() in public_rows for image in held_images[:500])


def test_a_tampered_public_half_is_refused(tmp_path, monkeypatch):
    target = tmp_path / "mnist"
    target.mkdir()
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        shutil.copy(mnist.package_dir() / name, target / name)
    images, labels = mnist.public_test_set()
    np.savez(target / mnist.PUBLIC_TEST_FILE, x_test=images, y_test=(labels + 1) % 10)
    monkeypatch.setenv("GRADER_DATA_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="public half"):
        mnist.load_data()


def test_damaged_copy_is_refused(tmp_path, monkeypatch):
    import gzip

    target = tmp_path / "mnist"
    target.mkdir()
    (target / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x01" + b"\x00" * 100))
    monkeypatch.setenv("GRADER_DATA_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="does not match SHA256SUMS"):
        mnist.load_data()
