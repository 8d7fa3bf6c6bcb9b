"""Benchmark: what computing metrics from weights on the host costs per submission. Prints, asserts nothing.

    python bench/bench_host_evaluation.py [REPEATS]

For each assignment whose metrics the grader computes from exported weights, the seconds its judges'
forward passes take for one submission (median of REPEATS), with weights of the reference's shapes
(random values: the cost does not depend on them): the input maker (held data), then every ``predict``
function of the rubric on it.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.pipeline import GRADER_DATA  # noqa: E402
from grader.rubric import load_assignment  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RNG = np.random.default_rng(0)


def pw06_values():
    mlp = {"W1": RNG.normal(size=(784, 300)), "b1": np.zeros(300), "W2": RNG.normal(size=(300, 10)), "b2": np.zeros(10)}
    keras = {
        "input_shape": np.array([-1, 784]),
        "classes": ["Dense", "Activation", "Dropout", "Dense", "Activation"],
        "activations": ["linear", "relu", "None", "linear", "softmax"],
        "layer0_w0": RNG.normal(size=(784, 300)),
        "layer0_w1": np.zeros(300),
        "layer3_w0": RNG.normal(size=(300, 10)),
        "layer3_w1": np.zeros(10),
    }
    return {"ex3_host_scores": mlp, "ex4_host_scores": keras}


def series10_values():
    values = {}
    for part, sizes in (("encoder", [784, 256, 128, 64]), ("decoder", [64, 128, 256, 784])):
        for i in range(3):
            values[f"weights.{part}_h{i + 1}"] = RNG.normal(size=(sizes[i], sizes[i + 1]))
            values[f"biases.{part}_b{i + 1}"] = np.zeros(sizes[i + 1])
    return {"host_reconstructions": values}


def tf_basics_values():
    return {
        "host_softmax_scores": {
            "graph.variables.names": ["W", "b"],
            "graph.variables.ranks": [2, 1],
            "graph.variables.dims": [784, 10, 10],
            "graph.variables.trainable": [1, 1],
            "graph.values.0": RNG.normal(size=(784, 10)),
            "graph.values.1": np.zeros(10),
        }
    }


CASES = {"pw06-mlp": (pw06_values, "mnist_held_out", 2), "series10-autoencoder": (series10_values, "held_out_images", 4), "tf-basics": (tf_basics_values, "mnist_training", 1)}


def main(repeats: int = 5) -> None:
    for assignment_id, (make_values, maker_name, calls) in CASES.items():
        staff = load_assignment(assignment_id, REPO).staff
        functions = make_values()
        _, held = getattr(staff, maker_name)(np.random.default_rng(0), GRADER_DATA)
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            for name, values in functions.items():
                for _call in range(calls if len(functions) == 1 else 1):
                    getattr(staff, name)(values, held)
            seconds.append(time.perf_counter() - started)
        print(f"{assignment_id:22s} {len(held['images'])} held images, {calls} model(s): {statistics.median(seconds):.3f} s per submission (median of {repeats})")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:]))
