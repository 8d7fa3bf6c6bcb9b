"""Run PW06 notebooks with nbclient and report time, error rates (true MNIST test labels) and raising cells.

    python assignments/pw06-mlp/check_notebooks.py [NOTEBOOK ...]

Without arguments: the template, the reference and every sample. An evaluation cell is appended in memory
only (before a trailing never-ending cell for ``infinite_loop``); nothing is written back to the notebooks.
Run outside the grader's sandbox, where ``mnist.load_data()`` returns the real test labels.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
MARK = "PW06-EVAL:"

EVAL_CELL = f"""
import json as _json
import numpy as _np
import tensorflow as _tf
from grader.datasets import mnist as _mnist
_images = _mnist.load_part("test_images", _mnist.package_dir()).reshape(-1, 784).astype("float32") / 255.0
_labels = _mnist.load_part("test_labels", _mnist.package_dir())
_out = {{}}
try:
    _out["ex3"] = float(_np.mean(_np.argmax(_np.asarray(forward(params, _tf.constant(_images))), 1) != _labels))
except Exception as _e:
    _out["ex3"] = type(_e).__name__
try:
    _out["ex4"] = float(_np.mean(_np.argmax(keras_model.predict(_images, batch_size=1000, verbose=0), 1) != _labels))
except Exception as _e:
    _out["ex4"] = type(_e).__name__
print("{MARK}" + _json.dumps(_out))
"""


def check(path: Path, timeout: int = 60) -> dict:
    nb = nbformat.read(str(path), as_version=4)
    cell = nbformat.v4.new_code_cell(EVAL_CELL)
    loops = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "while True" in c.source]
    position = loops[0] if loops else len(nb.cells)
    nb.cells.insert(position, cell)
    client = NotebookClient(nb, timeout=timeout, allow_errors=True, kernel_name="python3", interrupt_on_timeout=bool(loops))
    start = time.perf_counter()
    timed_out = []
    try:
        client.execute(cwd=str(REPO))
    except CellTimeoutError:
        timed_out.append("timeout")
    wall = time.perf_counter() - start
    raised, metrics = [], {}
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        for output in c.get("outputs", []):
            if output.output_type == "error":
                raised.append(f"{c.get('id', i)}:{output.ename}")
            if output.output_type == "stream" and MARK in output.text:
                metrics = json.loads(output.text.split(MARK, 1)[1].splitlines()[0])
    return {"notebook": str(path.relative_to(REPO)), "wall_s": round(wall, 1), **metrics, "raised": raised + timed_out}


def main(argv: list[str]) -> None:
    paths = [Path(p).resolve() for p in argv] or [
        HERE / "pw06-mlp.ipynb",
        REPO / "reference" / "pw06-mlp" / "pw06-mlp.ipynb",
        *sorted((HERE / "samples").glob("*.ipynb")),
    ]
    for path in paths:
        timeout = 20 if path.stem == "infinite_loop" else 60
        print(json.dumps(check(path, timeout)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
