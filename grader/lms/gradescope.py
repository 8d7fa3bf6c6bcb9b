"""Gradescope as the LMS that runs the grader: the autograder bundle, and the container it runs in.

Gradescope's autograder contract (Gradescope docs, "Autograder Specifications"): a zip with ``setup.sh``
and ``run_autograder`` at its root is unpacked to ``/autograder/source``; ``setup.sh`` runs once, as
root, when Gradescope builds the image (with network access); for every submission a fresh container
runs ``run_autograder`` with the student's files in ``/autograder/submission``, facts about the
submission in ``/autograder/submission_metadata.json``, and reads ``/autograder/results/results.json``.

The bundle this writes::

    setup.sh                 installs Python and this grader (from grader-src/) in /autograder/venv
    run_autograder           python -m grader gradescope run --root /autograder
    grader.json              which assignment, which grader and rubric version built it
    course/rubrics/<id>.yaml and course/rubrics/<id>/   the rubric and its staff code
    course/cache/reference-<id>-<fingerprint>.json      the reference's probe data, when checks need it
    grader-src/              the grader package (MNIST included) and a pyproject to install it

The reference notebook itself never goes in: the student's code runs in that same container. In the
container the grader is root and the student's code runs as an unprivileged uid; ``protect`` makes the
bundle, the results folder and the metadata unreadable to it, so a submission can neither read the
staff files nor write its own results.json. ``AUTOGRADER_ROOT`` moves ``/autograder`` (to try the
bundle on a laptop); ``GRADER_PYTHON`` picks the interpreter ``run_autograder`` uses.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import zipfile
from pathlib import Path

from grader import templates
from grader._version import __version__
from grader.errors import InputError
from grader.exports.base import replace_atomically
from grader.lms.roster import RosterEntry
from grader.rubric.loading import Assignment
from grader.sandbox.images import PACKAGE_ROOT, grader_files, requirements

CONFIG = "grader.json"


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed: the same inputs give the same zip
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    archive.writestr(info, data)


def write_bundle(assignment: Assignment, out: Path, cache: Path) -> Path:
    """The autograder zip for one assignment; ``cache`` holds the reference's probe data (may be empty)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".tmp")
    config = {"assignment": assignment.id, "grader_version": __version__, "rubric_sha256": assignment.fingerprint}
    with zipfile.ZipFile(temporary, "w") as archive:
        _add(archive, "setup.sh", templates.source("gradescope/setup.sh").encode(), executable=True)
        _add(archive, "run_autograder", templates.source("gradescope/run_autograder").encode(), executable=True)
        _add(archive, CONFIG, json.dumps(config, indent=2).encode())
        _add(archive, f"course/rubrics/{assignment.id}.yaml", assignment.rubric_path.read_bytes())
        for name in ("probes.py", "judges.py"):  # the staff code load_assignment reads
            path = assignment.rubric_path.with_suffix("") / name
            if path.exists():
                _add(archive, f"course/rubrics/{assignment.id}/{name}", path.read_bytes())
        for path in sorted(cache.glob("*.json")):
            _add(archive, f"course/cache/{path.name}", path.read_bytes())
        # The grader runs outside the sandbox there and judges with the evaluation labels: they go in too.
        for path in grader_files(withheld=()):
            _add(archive, f"grader-src/grader/{path.relative_to(PACKAGE_ROOT).as_posix()}", path.read_bytes())
        # Pinned to the versions this grader runs with, so Gradescope grades as the TAs' machines do.
        _add(archive, "grader-src/pyproject.toml", templates.render("gradescope/pyproject.toml.j2", version=__version__, dependencies=json.dumps(requirements())).encode())
    temporary.replace(out)
    return out


class AutograderRoot:
    """The folders Gradescope gives ``run_autograder`` (``/autograder`` unless moved)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.source = root / "source"
        self.course = self.source / "course"
        self.cache = self.course / "cache"
        self.submission = root / "submission"
        self.results = root / "results"
        self.metadata = root / "submission_metadata.json"

    def protect(self) -> None:
        """Only the grader (root) may read the bundle and metadata or write results; the student's uid may not."""
        self.results.mkdir(parents=True, exist_ok=True)
        for path in (self.source, self.results, self.metadata):
            if path.exists():
                os.chmod(path, 0o700 if path.is_dir() else 0o600)
        if self.submission.is_dir():
            os.chmod(self.submission, 0o755)

    def assignment_id(self) -> str:
        path = self.source / CONFIG
        try:
            return str(json.loads(path.read_text())["assignment"])
        except (OSError, ValueError, KeyError, TypeError):
            raise InputError(f"{path}: missing or damaged; rebuild the bundle with `grader gradescope bundle`") from None

    def notebook(self, name: str) -> Path:
        """The notebook the student uploaded: the one named as in the rubric, else the only one."""
        found = sorted(p for p in self.submission.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts) if self.submission.is_dir() else []
        named = [p for p in found if p.name == name]
        if named or len(found) == 1:
            return (named or found)[0]
        what = "no notebook was uploaded" if not found else f"{len(found)} notebooks were uploaded ({', '.join(p.name for p in found)})"
        raise InputError(f"{self.submission}: {what}; upload your {name}")

    def student(self) -> RosterEntry:
        """Who submitted and how late, from submission_metadata.json (an extension moves the due date per student)."""
        try:
            meta = json.loads(self.metadata.read_text())
        except (OSError, ValueError):
            return RosterEntry(student="submission")
        users = meta.get("users") or [{}]
        user = users[0] if isinstance(users[0], dict) else {}
        due = (user.get("assignment") or {}).get("due_date") or (meta.get("assignment") or {}).get("due_date")
        name = str(user.get("email") or user.get("id") or "submission")
        return RosterEntry(
            student=re.sub(r"[^A-Za-z0-9_.@-]", "_", name),
            name=user.get("name"),
            email=user.get("email"),
            lms_user_id=str(user["id"]) if user.get("id") is not None else None,
            submission_id=str(meta["id"]) if meta.get("id") is not None else None,
            days_late=_days_late(meta.get("created_at"), due),
        )

    def write_results(self, document: dict) -> Path:
        return replace_atomically(self.results / "results.json", json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _days_late(created: str | None, due: str | None) -> float | None:
    if created is None or due is None:
        return None
    try:
        late = (dt.datetime.fromisoformat(created.replace("Z", "+00:00")) - dt.datetime.fromisoformat(due.replace("Z", "+00:00"))).total_seconds()
    except (AttributeError, TypeError, ValueError):
        return None
    return round(max(late, 0.0) / 86400, 4)


def failure_results(problem: str) -> dict:
    """results.json for a submission that could not be graded: 0 points and the reason, visible to the student."""
    return {"score": 0.0, "output": f"This submission could not be graded: {problem}", "tests": []}


__all__ = ["AutograderRoot", "failure_results", "write_bundle"]
