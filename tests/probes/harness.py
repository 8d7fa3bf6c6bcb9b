"""Run a probe through the real probe runtime (as the sandbox does) and read its data back as the host does."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from grader.checks.base import ProbeData
from grader.execution.artifacts import read_probe


def run_probe(tmp_path: Path, probes_source: str, name: str, user_ns: dict, inputs: dict | None = None, forbidden: tuple[str, ...] = ()) -> ProbeData:
    """Execute ``probes_source``'s function ``name`` in a fake kernel namespace; return the parsed ProbeData."""
    import grader.execution.probe_runtime as runtime_module

    namespace = {"get_ipython": lambda: type("Kernel", (), {"user_ns": user_ns})()}
    exec(compile(Path(runtime_module.__file__).read_text(), "probe_runtime.py", "exec"), namespace)
    inputs_dir, out_dir = tmp_path / "inputs", tmp_path / "out" / "probes"
    inputs_dir.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    if inputs:
        np.savez(inputs_dir / f"{name}.npz", **inputs)
    run = namespace["__grader_install"](str(out_dir), str(inputs_dir), probes_source, 16_000_000)
    run(name, name, forbidden)
    return read_probe(tmp_path / "out", name, 16_000_000)
