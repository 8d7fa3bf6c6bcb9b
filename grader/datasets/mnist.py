"""MNIST as shipped with the grader: ``from grader.datasets import mnist; mnist.load_data()``.

The files are the original IDX files (gzip), verified against ``SHA256SUMS`` on every load, so
a student and the grader always see the same bytes, offline.

Where the data comes from:
- ``GRADER_DATA_DIR`` (set by the sandbox) points at a folder with an ``mnist/`` subfolder; the
  grader puts the training set and the test *images* there, never the test labels, which it keeps to
  judge predictions. Inside a sandbox ``load_data()`` then returns ``y_test`` filled with 255 (not a
  digit) so shapes and dtypes stay those of ``tf.keras.datasets.mnist.load_data()``.
- otherwise the copy inside the installed package.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import warnings
from pathlib import Path

import numpy as np

__all__ = ["load_data", "data_dir", "WITHHELD_LABEL"]

WITHHELD_LABEL = 255
_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
_PACKAGE_DIR = Path(__file__).parent / "data" / "mnist"


def data_dir() -> Path:
    """The folder the files are read from (see the module docstring)."""
    override = os.environ.get("GRADER_DATA_DIR")
    return Path(override) / "mnist" if override else _PACKAGE_DIR


def _expected_digests() -> dict[str, str]:
    # The sums always come from the package copy: a folder handed to the loader cannot vouch for itself.
    lines = (_PACKAGE_DIR / "SHA256SUMS").read_text().split("\n")
    return {name: digest for digest, name in (line.split() for line in lines if line.strip())}


def read_idx(path: Path, name: str) -> np.ndarray:
    """Read one gzipped IDX file and check its SHA256 against the shipped sums."""
    raw = gzip.decompress(path.read_bytes())
    digest = hashlib.sha256(raw).hexdigest()
    if digest != _expected_digests()[name]:
        raise ValueError(f"{path}: SHA256 {digest} does not match SHA256SUMS; the MNIST copy is damaged")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape).copy()


def load_part(part: str, folder: Path | None = None) -> np.ndarray:
    """One of ``train_images``, ``train_labels``, ``test_images``, ``test_labels``."""
    name = _FILES[part]
    return read_idx((folder or data_dir()) / f"{name}.gz", name)


def load_data():
    """``(x_train, y_train), (x_test, y_test)`` as uint8 arrays, like ``tf.keras.datasets.mnist``."""
    folder = data_dir()
    x_train, y_train = load_part("train_images", folder), load_part("train_labels", folder)
    x_test = load_part("test_images", folder)
    if (folder / f"{_FILES['test_labels']}.gz").exists():
        y_test = load_part("test_labels", folder)
    else:
        warnings.warn("MNIST test labels are withheld while grading; y_test is filled with 255", stacklevel=2)
        y_test = np.full(x_test.shape[0], WITHHELD_LABEL, dtype=np.uint8)
    return (x_train, y_train), (x_test, y_test)
