"""Reading what came out of a sandbox, as untrusted bytes.

Only regular files are read (a symlink planted among the artifacts is refused, never followed), each
under a size cap, opened with ``O_NOFOLLOW``. JSON is parsed into pydantic models; ``.npz`` is opened
with ``allow_pickle=False`` after checking that it holds only ``.npy`` members whose uncompressed size
fits the cap (no zip bombs). Anything that fails becomes a probe error, never an exception.
"""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from grader.execution.job import ProbeArtifact, RunArtifact


@dataclass
class ProbeData:
    """One probe's output as parsed by the grader (never the raw sandbox bytes)."""

    name: str
    values: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class ArtifactRejected(Exception):
    """An artifact is missing, not a regular file, too large or malformed."""


def read_capped(path: Path, max_bytes: int) -> bytes:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise ArtifactRejected(f"{path.name} is missing") from None
    if not stat.S_ISREG(info.st_mode):
        raise ArtifactRejected(f"{path.name} is not a regular file")
    if info.st_size > max_bytes:
        raise ArtifactRejected(f"{path.name} is {info.st_size} bytes, over the {max_bytes} byte limit")
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ArtifactRejected(f"{path.name} grew past the {max_bytes} byte limit")
    return data


def read_model(path: Path, model: type[BaseModel], max_bytes: int) -> BaseModel:
    try:
        return model.model_validate_json(read_capped(path, max_bytes))
    except ValidationError as problem:
        raise ArtifactRejected(f"{path.name} is malformed ({problem.errors()[0]['msg']})") from None


def read_npz(path: Path, max_bytes: int) -> dict[str, np.ndarray]:
    raw = read_capped(path, max_bytes)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except zipfile.BadZipFile:
        raise ArtifactRejected(f"{path.name} is not an npz archive") from None
    if any(not member.filename.endswith(".npy") for member in members):
        raise ArtifactRejected(f"{path.name} holds something other than .npy arrays")
    if sum(member.file_size for member in members) > max_bytes:
        raise ArtifactRejected(f"{path.name} unpacks to more than {max_bytes} bytes")
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as stored:
            return {key: stored[key] for key in stored.files}
    except (ValueError, OSError, zipfile.BadZipFile) as problem:
        raise ArtifactRejected(f"{path.name} could not be read without pickles ({problem})") from None


def read_probe(out_dir: Path, name: str, max_bytes: int) -> ProbeData:
    """One probe's data, or a ProbeData carrying the reason it is unusable."""
    base = out_dir / "probes"
    try:
        artifact = read_model(base / f"{name}.json", ProbeArtifact, min(max_bytes, 4 * 1024 * 1024))
    except ArtifactRejected as problem:
        missing = "missing" in str(problem)
        return ProbeData(name, error="the run ended before this was collected" if missing else f"its data was rejected ({problem})")
    if not artifact.ok:
        return ProbeData(name, error=artifact.error or "the probe failed")
    values = dict(artifact.values)
    if artifact.arrays:
        try:
            arrays = read_npz(base / f"{name}.npz", max_bytes)
        except ArtifactRejected as problem:
            return ProbeData(name, error=f"its data was rejected ({problem})")
        missing_keys = set(artifact.arrays) - set(arrays)
        if missing_keys:
            return ProbeData(name, error=f"its data was incomplete (no {sorted(missing_keys)[0]})")
        values.update({key: arrays[key] for key in artifact.arrays})
    return ProbeData(name, values=values)


def read_run(out_dir: Path) -> RunArtifact | None:
    try:
        return read_model(out_dir / "run.json", RunArtifact, 4 * 1024 * 1024)  # type: ignore[return-value]
    except ArtifactRejected:
        return None


def json_safe(values: dict) -> dict:
    """Probe values as JSON (arrays as lists), for caching the reference's data on disk."""
    return {key: value.tolist() if isinstance(value, np.ndarray) else value for key, value in values.items()}


def dump_probe_data(data: dict[str, ProbeData]) -> str:
    return json.dumps({name: {"values": json_safe(item.values), "error": item.error} for name, item in data.items()})


def load_probe_data(text: str) -> dict[str, ProbeData]:
    raw = json.loads(text)
    return {
        name: ProbeData(name, values={k: np.asarray(v) if isinstance(v, list) else v for k, v in item["values"].items()}, error=item["error"])
        for name, item in raw.items()
    }
