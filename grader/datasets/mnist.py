"""MNIST as shipped with the grader: ``from grader.datasets import mnist; mnist.load_data()``.

The files are the original IDX files (gzip), verified against ``SHA256SUMS`` on every load, so
a student and the grader always see the same bytes, offline.

Where the data comes from:
- ``GRADER_DATA_DIR`` (set by the sandbox) points at a folder with an ``mnist/`` subfolder; the
  grader puts the training set there and the *public half* of the test set (``t10k-public.npz``,
  images with their real labels). Inside a sandbox ``load_data()`` returns that half as
  ``(x_test, y_test)``: every common idiom (``np.eye(10)[y_test]``, ``to_categorical``) works.
- otherwise the copy inside the installed package (the whole test set).

The test split (docs/evaluation-data.md): test image ``i`` belongs to the *held half* when the first
byte of ``sha256(b"grader-mnist-split-1:" + str(i))`` is odd. The rule needs no random generator,
so any tool reproduces it. The held half never enters a sandbox: metrics are measured on it by the
grader, from the weights a submission exports, so labels pasted into a notebook cannot decide them.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
from pathlib import Path

import numpy as np

__all__ = [
    "DIGESTS",
    "PUBLIC_TEST_DIGEST",
    "PUBLIC_TEST_FILE",
    "data_dir",
    "held_test_set",
    "is_held",
    "load_data",
    "load_part",
    "package_dir",
    "public_test_set",
    "write_public_test_set",
]

PUBLIC_TEST_FILE = "t10k-public.npz"
_SPLIT_SALT = b"grader-mnist-split-1:"
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


# sha256 over the public half's image bytes then label bytes (tests/test_mnist.py recomputes it).
PUBLIC_TEST_DIGEST = "5a3a3045967b1a5470753559a72a63865cfb5090044925d9ffdce1bfd675424c"


def is_held(index: int) -> bool:
    """Whether official test image ``index`` is in the held half (see the module docstring)."""
    return hashlib.sha256(_SPLIT_SALT + str(index).encode()).digest()[0] % 2 == 1


def _split_masks(count: int) -> np.ndarray:
    return np.array([is_held(index) for index in range(count)])


@functools.lru_cache(maxsize=1)
def _test_halves() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    # Cached: every job folder gets the public half; arrays are read-only so no caller can alter the cache.
    images, labels = load_part("test_images", _PACKAGE_DIR), load_part("test_labels", _PACKAGE_DIR)
    held = _split_masks(len(images))
    halves = {"held": (images[held], labels[held]), "public": (images[~held], labels[~held])}
    for pair in halves.values():
        for array in pair:
            array.flags.writeable = False
    return halves


def held_test_set() -> tuple[np.ndarray, np.ndarray]:
    """The held half ``(images, labels)``: the grader's own evaluation data, never put in a job folder."""
    return _test_halves()["held"]


def public_test_set() -> tuple[np.ndarray, np.ndarray]:
    """The public half ``(images, labels)``, as ``load_data()`` returns it inside a sandbox."""
    return _test_halves()["public"]


def _digest_of(images: np.ndarray, labels: np.ndarray) -> str:
    return hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest()


def write_public_test_set(target: Path) -> None:
    """Write the public half where a sandbox's ``load_data()`` reads it (``target`` is a job's ``data/mnist``)."""
    images, labels = public_test_set()
    np.savez(target / PUBLIC_TEST_FILE, x_test=images, y_test=labels)


def _read_public_test_set(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(path, allow_pickle=False) as stored:
        images, labels = stored["x_test"], stored["y_test"]
    if images.dtype != np.uint8 or labels.dtype != np.uint8 or _digest_of(images, labels) != PUBLIC_TEST_DIGEST:
        raise ValueError(f"{path}: does not match the public half of the MNIST test set; the copy is damaged")
    return images, labels


def load_part(part: str, folder: Path | None = None) -> np.ndarray:
    """One of ``train_images``, ``train_labels``, ``test_images``, ``test_labels``."""
    name = _FILES[part]
    return read_idx((folder or data_dir()) / f"{name}.gz", name)


def load_data():
    """``(x_train, y_train), (x_test, y_test)`` as uint8 arrays, like ``tf.keras.datasets.mnist``.

    In a sandbox the test part is the public half (about 5000 images, real labels); elsewhere all 10000.
    """
    folder = data_dir()
    x_train, y_train = load_part("train_images", folder), load_part("train_labels", folder)
    if (folder / PUBLIC_TEST_FILE).exists():
        x_test, y_test = _read_public_test_set(folder / PUBLIC_TEST_FILE)
    else:
        x_test, y_test = load_part("test_images", folder), load_part("test_labels", folder)
    return (x_train, y_train), (x_test, y_test)
