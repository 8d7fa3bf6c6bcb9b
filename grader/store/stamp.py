"""Batch stamps: a settled batch remembered, so the same command with nothing changed answers at once.

A re-grade of an unchanged batch keeps every result (the gradebook says each one is current), yet
finding that out costs the full start-up: the rubric's models, the checks, NumPy, nbformat; about
0.6 s before the first file is read, most of the whole re-grade. A stamp lets the CLI skip all that.

After a batch in which every student ended current, the CLI writes a stamp, named by the command
(its arguments, the working folder, the GRADER_* environment and the grader's version), that holds:

- ``inputs``: every file whose bytes decided the batch (rubric, probes, judges, reference, each
  submission), by SHA-256, and paths whose absence decided it (``None``: a nearer ``rubrics/``
  folder would be another course);
- ``folders``: the submissions folders' listings, so that a new student is noticed;
- ``outputs``: the gradebook, grades.csv and dashboard, by size and modification time, so that a
  manual import, an edit or a deletion sends the command the long way (which rewrites them);
- ``text``: what the long way would print.

``replay`` answers only when all of that still holds, else None and the CLI grades as usual. It uses
the standard library alone: importing anything else would cost what it saves.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from grader._version import __version__
from grader.files import replace_atomically, user_cache

FORMAT = 1  # bump when a stamp's meaning changes: old stamps then never match


def command_key(argv: Sequence[str], cwd: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """One command as the CLI saw it: arguments, working folder, the grader's own environment variables."""
    environ = os.environ if environ is None else environ
    settings = sorted((name, value) for name, value in environ.items() if name.startswith(("GRADER_", "XDG_CACHE_HOME")))
    identity = [FORMAT, __version__, cwd or os.getcwd(), list(argv), settings]
    return hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:32]


def stamp_file(key: str) -> Path:
    return user_cache() / "batches" / f"{key}.json"


def file_sha256(path: Path) -> str | None:
    """The file's SHA-256; "folder" for a folder; None when there is nothing there."""
    try:
        digest = hashlib.sha256()
        with open(path, "rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()
    except IsADirectoryError:
        return "folder"
    except (FileNotFoundError, NotADirectoryError):
        return None


def listing(folder: Path) -> list[str]:
    """Every file under folder, relative and sorted (symbolic links to folders are not followed)."""
    found: list[str] = []
    for parent, _, files in os.walk(folder):
        found.extend(os.path.relpath(os.path.join(parent, name), folder) for name in files)
    return sorted(found)


def _state(path: Path) -> list[int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def describe_inputs(files: Iterable[Path], folders: Iterable[Path]) -> tuple[dict[str, str | None], dict[str, list[str]]]:
    """(file -> SHA-256 or None, folder -> listing): the batch's inputs as a stamp holds them.

    A folder's files are inputs too: a changed notebook and a new one are both a change.
    """
    listings = {str(folder): listing(folder) for folder in folders}
    paths = {str(path) for path in files} | {os.path.join(folder, name) for folder, names in listings.items() for name in names}
    return {path: file_sha256(Path(path)) for path in sorted(paths)}, listings


def record(key: str, inputs: Mapping[str, str | None], folders: Mapping[str, list[str]], outputs: Iterable[Path], text: str) -> Path:
    """Remember a settled batch; written last, after every output is on disk."""
    stamp = {"format": FORMAT, "inputs": dict(inputs), "folders": dict(folders), "outputs": {str(path): _state(path) for path in outputs}, "text": text}
    return replace_atomically(stamp_file(key), json.dumps(stamp))


def forget(key: str) -> None:
    stamp_file(key).unlink(missing_ok=True)


def replay(key: str) -> str | None:
    """The stamped batch's text when nothing it depends on changed since; else None (grade the long way)."""
    try:
        stamp = json.loads(stamp_file(key).read_text(encoding="utf-8"))
        return _still_holds(stamp)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # no stamp, or a damaged one: the long way decides, and writes a new one


def _still_holds(stamp: dict) -> str | None:
    if stamp["format"] != FORMAT:
        return None
    # Cheapest first: a stat per output, a listing per folder, then the inputs' bytes.
    if any(_state(Path(path)) != state for path, state in stamp["outputs"].items()):
        return None
    if any(listing(Path(folder)) != names for folder, names in stamp["folders"].items()):
        return None
    if any(file_sha256(Path(path)) != digest for path, digest in stamp["inputs"].items()):
        return None
    return str(stamp["text"])
