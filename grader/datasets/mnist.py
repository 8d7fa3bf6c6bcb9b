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

__all__ = ["DIGESTS", "WITHHELD_LABEL", "data_dir", "load_data", "load_part", "package_dir"]

WITHHELD_LABEL = 255
_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
_PACKAGE_DIR = Path(__file__).parent / "data" / "mnist"


def package_dir() -> Path:
    """The copy shipped inside the package (with test labels): the grader's own source of truth."""
    return _PACKAGE_DIR


def data_dir() -> Path:
    """The folder the files are read from (see the module docstring)."""
    override = os.environ.get("GRADER_DATA_DIR")
    return Path(override) / "mnist" if override else _PACKAGE_DIR


# The published SHA256SUMS of the uncompressed files, held in code: a data folder cannot vouch for itself,
# and inside the sandbox the package's own copy is hidden. tests/ checks these against SHA256SUMS.
DIGESTS = {
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
}


def read_idx(path: Path, name: str) -> np.ndarray:
    """Read one gzipped IDX file and check its SHA256 against the shipped sums."""
    raw = gzip.decompress(path.read_bytes())
    digest = hashlib.sha256(raw).hexdigest()
    if digest != DIGESTS[name]:
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
