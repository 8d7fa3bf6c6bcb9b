"""Finding and loading an assignment: the rubric YAML plus its staff code and course files.

A course folder holds ``rubrics/<id>.yaml`` (and ``rubrics/<id>/probes.py``, ``judges.py``),
``assignments/<id>/`` (template, samples) and ``reference/<id>/``. The folder is ``--course``, else
``$GRADER_COURSE``, else the nearest parent of the working directory with a ``rubrics/`` folder, else
the checkout the grader runs from.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import yaml
from pydantic import ValidationError

from grader.errors import RubricError, UnknownAssignment
from grader.rubric.models import Rubric
from grader.rubric.references import check_references


@dataclass(eq=False)
class Assignment:
    """A loaded rubric with the paths and staff code that belong to it."""

    rubric: Rubric
    rubric_path: Path
    course_dir: Path
    probes_source: str
    staff: ModuleType | None
    fingerprint: str

    @property
    def id(self) -> str:
        return self.rubric.id

    @property
    def reference_notebook(self) -> Path:
        return self.course_dir / "reference" / self.id / self.rubric.notebook

    @property
    def samples_dir(self) -> Path:
        return self.course_dir / "assignments" / self.id / "samples"


def find_course_dir(course: Path | str | None = None) -> Path:
    if course:
        return Path(course)
    if os.environ.get("GRADER_COURSE"):
        return Path(os.environ["GRADER_COURSE"])
    return _search_course()[0]


def _search_course() -> tuple[Path, list[Path]]:
    """(the nearest folder from here up with a rubrics/ folder, else the grader's own; the rubrics/ paths found absent)."""
    here = Path.cwd().resolve()
    absent: list[Path] = []
    for folder in (here, *here.parents):
        if (folder / "rubrics").is_dir():
            return folder, absent
        absent.append(folder / "rubrics")
    return Path(__file__).resolve().parents[2], absent


def course_search_absent(course: Path | str | None = None) -> list[Path]:
    """The rubrics/ folders whose absence made find_course_dir(course) pick its course: one appearing picks another."""
    if course or os.environ.get("GRADER_COURSE"):
        return []
    return _search_course()[1]


def list_assignments(course: Path | str | None = None) -> list[str]:
    folder = find_course_dir(course) / "rubrics"
    return sorted(path.stem for path in folder.glob("*.yaml")) if folder.is_dir() else []


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"]
    if first["type"] == "union_tag_invalid":
        message = f"unknown check kind {first['input'].get('kind')!r} (known: {first['ctx']['expected_tags']})"
    elif first["type"] == "missing":
        message = "required field is missing"
    more = f" (and {len(error.errors()) - 1} more problems)" if len(error.errors()) > 1 else ""
    return f"{where}: {message}{more}"


def parse_rubric(path: Path) -> Rubric:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as problem:
        raise RubricError(f"{path}: cannot read rubric ({problem.strerror})") from None
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        raise RubricError(f"{path}: not valid YAML{line}") from None
    if not isinstance(raw, dict):
        raise RubricError(f"{path}: a rubric must be a mapping with id, title, notebook and checks")
    try:
        return Rubric.model_validate(raw)
    except ValidationError as problem:
        raise RubricError(f"{path}: {_describe(problem)}") from None


def _load_staff_module(path: Path, assignment_id: str) -> ModuleType | None:
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"grader_rubric_{assignment_id.replace('-', '_')}_judges", path)
    assert spec is not None and spec.loader is not None  # a .py path always has a source loader
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as problem:
        raise RubricError(f"{path}: line {problem.lineno}: {problem.msg}") from None
    except Exception as problem:  # noqa: BLE001 - staff code: any failure at import is a rubric error, in one line
        raise RubricError(f"{path}: cannot be imported ({type(problem).__name__}: {problem})") from None
    return module


def load_assignment(assignment_id: str, course: Path | str | None = None) -> Assignment:
    course_dir = find_course_dir(course)
    path = course_dir / "rubrics" / f"{assignment_id}.yaml"
    if not path.exists():
        known = ", ".join(list_assignments(course_dir)) or "none"
        raise UnknownAssignment(f"{path}: no rubric for assignment {assignment_id!r} (known: {known})")
    rubric = parse_rubric(path)
    if rubric.id != assignment_id:
        raise RubricError(f"{path}: id is {rubric.id!r} but the file is named {assignment_id!r}")
    staff_dir = course_dir / "rubrics" / assignment_id
    probes_path = staff_dir / "probes.py"
    probes_source = probes_path.read_text(encoding="utf-8") if probes_path.exists() else ""
    staff = _load_staff_module(staff_dir / "judges.py", assignment_id)
    check_references(rubric, path, probes_source, staff)
    digest = hashlib.sha256(path.read_bytes() + probes_source.encode())
    if (staff_dir / "judges.py").exists():
        digest.update((staff_dir / "judges.py").read_bytes())
    return Assignment(rubric, path, course_dir, probes_source, staff, digest.hexdigest())
