"""The judges' API: everything a rubric's ``judges.py`` may import from the grader, and nothing else.

A course's ``rubrics/<id>/judges.py`` runs on the host, outside the sandbox, and holds four kinds of
functions, which the rubric names (see docs/judges.md)::

    from grader.rubric.authoring import CheckNotRun, finite_array, sigmoid

    def held_out(rng, data):                 # input maker: probes: {name: {inputs: held_out}}
        images, labels = data.mnist_held_test
        return {}, {"images": images, "labels": labels}      # (sent to the probe, kept by the grader)

    def expected_y(inputs, held):            # formula: compare checks with expected: formula
        return sigmoid(inputs["x"] @ inputs["w"])

    def host_scores(values, held):           # predict: metric/reconstruction checks, from exported weights
        W = finite_array(values["W"], "Your W")
        return held["images"] @ W

    def test_shapes(evidence, check):        # test function: kind: test
        shapes = evidence.value("shapes", "out", check)
        assert len(shapes) == 3, "init() should return three arrays."   # the message is the student's reason

A test function passes by returning ``None``, fails with ``assert`` (its message goes to the student),
or returns a fraction in [0, 1] (or ``(fraction, reason)``) for partial credit. Raise ``CheckNotRun``
when the work cannot be judged at all (a value missing, NaN weights): the check earns 0 and shows
"Not evaluated:" with the reason. Any other exception is reported as a grader bug, except the
ValueError/TypeError/KeyError/IndexError/ArithmeticError family, which the check kinds read as
"the student's values had an odd shape or type".

The names here are a contract with course staff: ``__all__`` is pinned by tests/rubric/test_authoring.py,
and that test also fails when a ``judges.py`` imports anything else from the grader. Internals may move;
this module keeps these names where judges find them.
"""

from __future__ import annotations

import functools

import numpy as np

from grader.checks.base import CheckBase, CheckNotRun, Evidence, finite_array, import_tensorflow
from grader.checks.graph import GraphSummary, GraphVariable, read_summary
from grader.datasets import mnist
from grader.execution.artifacts import ProbeData

__all__ = [
    "CheckBase",
    "CheckNotRun",
    "Evidence",
    "GraderData",
    "GraphSummary",
    "GraphVariable",
    "ProbeData",
    "finite_array",
    "import_tensorflow",
    "read_summary",
    "relu",
    "sigmoid",
    "softmax",
]


class GraderData:
    """The ``data`` argument of every input maker: datasets as the grader holds them, labels included.

    Send (the first dict an input maker returns) only what the sandbox may see anyway: training images
    and the public test half. The held half is for the second dict, which never leaves the grader.
    Each set is loaded once per process, on first use.
    """

    @functools.cached_property
    def mnist_held_test(self) -> tuple[np.ndarray, np.ndarray]:
        """The held half of the MNIST test set (images uint8 (n, 28, 28), labels): metrics are measured on it, so never send it."""
        return mnist.held_test_set()

    @functools.cached_property
    def mnist_public_test(self) -> tuple[np.ndarray, np.ndarray]:
        """The public half of the MNIST test set: the sandbox has it anyway (with labels), so probe inputs may come from it."""
        return mnist.public_test_set()

    @functools.cached_property
    def mnist_train(self) -> tuple[np.ndarray, np.ndarray]:
        """The MNIST training images and labels, as the students' notebooks load them."""
        folder = mnist.package_dir()
        return mnist.load_part("train_images", folder), mnist.load_part("train_labels", folder)


# -- forward-pass helpers for predict functions ----------------------------------------------------
# Metrics are computed here from exported weights, so every course rebuilds its model in NumPy; these
# are the activations they share, written once so two courses cannot disagree on them.


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)), elementwise. Very negative z overflows exp to inf and gives exactly 0 (NumPy warns;
    wrap the call in ``np.errstate(over="ignore")`` where saturated units are expected)."""
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, shifted by the row maximum so large scores do not overflow."""
    shifted = np.exp(z - z.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def relu(z: np.ndarray) -> np.ndarray:
    """max(z, 0), elementwise."""
    return np.maximum(z, 0.0)
