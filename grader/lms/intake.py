"""Intake of LMS bulk downloads: unpack safely, one ``<student>.ipynb`` per student, plus a roster.

Understood layouts (archive or already-unpacked folder)::

    Moodle "download all submissions"   Jane Doe_1234_assignsubmission_file_/pw06-mlp.ipynb
                                        (or flat: Jane Doe_1234_assignsubmission_file_pw06-mlp.ipynb)
    Canvas submissions.zip              doejane_1234_5678_pw06-mlp.ipynb, doejane_late_1234_5678_pw06-mlp-1.ipynb
    plain                               alice.ipynb, bob/pw06-mlp.ipynb (optionally inside one wrapping folder)

A plain folder is graded where it is. Anything else is normalised into ``workdir``: ``<student>.ipynb``,
or an empty ``<student>/`` folder for a student who handed in no notebook (grading then says so).
Student ids are ``<name>-<lms id>`` (lower-case ASCII), unique and stable across downloads.

An archive is refused as a whole, with one line naming it, when an entry points outside it (absolute
path, ``..``), is a link or a device, is encrypted, or when it holds more files or bytes in all than
``IntakeLimits`` allows: those say the archive itself is hostile or damaged. A notebook over the cap
per file is one student's problem: that student gets an empty folder and the reason in the roster
(``RosterEntry.refused``), and grading records it as their result. Sizes are counted while
extracting, not read from the archive's headers. Only the chosen notebooks are written, under names
the grader makes, never under archive paths.
"""

from __future__ import annotations

import functools
import re
import shutil
import stat
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from grader.errors import SubmissionsError
from grader.lms.roster import Roster, RosterEntry

MOODLE_FOLDER = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.*)$")
CANVAS_FILE = re.compile(r"^(?P<login>[^_/]+?)(?P<late>(?i:_late))?_(?P<user>\d+)_(?P<submission>\d+)_(?P<file>.+)$")
CANVAS_RESUBMISSION = re.compile(r"-\d+(?=\.ipynb$)")
IGNORED_PARTS = ("__MACOSX", ".ipynb_checkpoints")


@dataclass(frozen=True)
class IntakeLimits:
    """Caps on what one LMS download may unpack to. Usage: ``IntakeLimits(max_files=2000, max_total_mb=512)``."""

    max_files: int = 5000
    max_total_mb: int = 2048
    max_file_mb: int = 100


@dataclass
class _Entry:
    """One file of a download: its path inside it and how to read it."""

    path: PurePosixPath
    open: Callable[[], IO[bytes]]


@dataclass
class _Student:
    entry: RosterEntry
    notebooks: list[_Entry] = field(default_factory=list)


# -- reading a download ------------------------------------------------------------------------------
def _zip_entries(archive: Path, limits: IntakeLimits) -> tuple[zipfile.ZipFile, list[_Entry]]:
    try:
        bundle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as problem:
        raise SubmissionsError(f"{archive}: not a readable zip archive ({problem})") from None
    infos = bundle.infolist()
    if len(infos) > limits.max_files:
        bundle.close()
        raise SubmissionsError(f"{archive}: holds {len(infos)} entries, over the cap of {limits.max_files}; refusing to unpack it")
    entries = []
    for info in infos:
        unsafe = _unsafe(info)
        if unsafe:
            bundle.close()
            raise SubmissionsError(f"{archive}: entry {info.filename!r} {unsafe}; refusing to unpack it")
        if not info.is_dir():
            entries.append(_Entry(PurePosixPath(info.filename.replace("\\", "/")), functools.partial(bundle.open, info)))
    return bundle, entries


def _unsafe(info: zipfile.ZipInfo) -> str | None:
    """Why an archive entry must not be unpacked, or None."""
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        return "points outside the archive"
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the archiver recorded no Unix file type
    if kind == stat.S_IFLNK:
        return "is a symbolic link"
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        return "is not a regular file"
    if info.flag_bits & 0x1:
        return "is encrypted"
    return None


def _opener(path: Path) -> Callable[[], IO[bytes]]:
    """How to read one file of a folder download (bound now, not when the loop has moved on)."""
    return lambda: open(path, "rb")


def _folder_entries(folder: Path, limits: IntakeLimits) -> list[_Entry]:
    entries = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue  # a TA's own folder: links are left alone rather than followed
        entries.append(_Entry(PurePosixPath(path.relative_to(folder).as_posix()), _opener(path)))
        if len(entries) > limits.max_files:
            raise SubmissionsError(f"{folder}: holds more than {limits.max_files} files; refusing to read it")
    return entries


# -- recognising the layout --------------------------------------------------------------------------
def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "student"


def _moodle(entries: list[_Entry], source: str) -> tuple[Roster, dict[str, _Student]]:
    students: dict[str, _Student] = {}
    for entry in entries:
        match = MOODLE_FOLDER.match(entry.path.parts[0])
        if not match:
            continue
        student = f"{slug(match['name'])}-{match['id']}"
        found = students.setdefault(student, _Student(RosterEntry(student=student, name=match["name"], lms_user_id=match["id"])))
        inner = PurePosixPath(*entry.path.parts[1:]) if len(entry.path.parts) > 1 else PurePosixPath(match["file"] or entry.path.name)
        found.entry.files.append(str(inner))
        if inner.suffix == ".ipynb":
            found.notebooks.append(_Entry(inner, entry.open))
    return Roster(lms="moodle", source=source), students


def _canvas(entries: list[_Entry], source: str) -> tuple[Roster, dict[str, _Student]]:
    students: dict[str, _Student] = {}
    for entry in entries:
        match = CANVAS_FILE.match(entry.path.name)
        if not match or len(entry.path.parts) > 2:
            continue
        student = f"{slug(match['login'])}-{match['user']}"
        found = students.setdefault(student, _Student(RosterEntry(student=student, login=match["login"], lms_user_id=match["user"])))
        found.entry.submission_id = match["submission"]
        found.entry.late = found.entry.late or bool(match["late"])
        found.entry.files.append(match["file"])
        if match["file"].endswith(".ipynb"):
            # Canvas appends -1, -2 to files resubmitted under the same name.
            found.notebooks.append(_Entry(PurePosixPath(CANVAS_RESUBMISSION.sub("", match["file"])), entry.open))
    return Roster(lms="canvas", source=source), students


def _wrapped(entries: list[_Entry], notebook_name: str | None) -> bool:
    """True when everything sits in one folder that holds students, not one student's files."""
    if len({entry.path.parts[0] for entry in entries}) != 1 or any(len(entry.path.parts) < 2 for entry in entries):
        return False
    direct = [entry.path.name for entry in entries if len(entry.path.parts) == 2 and entry.path.suffix == ".ipynb"]
    nested = {entry.path.parts[1] for entry in entries if len(entry.path.parts) > 2 and entry.path.suffix == ".ipynb"}
    return notebook_name not in direct and (bool(nested) or len(direct) > 1)


def _plain(entries: list[_Entry], source: str, notebook_name: str | None) -> tuple[Roster, dict[str, _Student]]:
    if _wrapped(entries, notebook_name):
        entries = [_Entry(PurePosixPath(*entry.path.parts[1:]), entry.open) for entry in entries]
    students: dict[str, _Student] = {}
    for entry in entries:
        top = entry.path.parts[0]
        name = entry.path.stem if len(entry.path.parts) == 1 else top
        if top.startswith(".") or (len(entry.path.parts) == 1 and entry.path.suffix != ".ipynb"):
            continue
        student = slug(name)
        found = students.setdefault(student, _Student(RosterEntry(student=student, name=name)))
        inner = PurePosixPath(*entry.path.parts[1:]) if len(entry.path.parts) > 1 else entry.path
        found.entry.files.append(str(inner))
        if inner.suffix == ".ipynb":
            found.notebooks.append(_Entry(inner, entry.open))
    return Roster(lms="folder", source=source), students


def _recognise(entries: list[_Entry], source: str, notebook_name: str | None) -> tuple[Roster, dict[str, _Student]]:
    entries = [e for e in entries if not any(part in IGNORED_PARTS for part in e.path.parts) and not e.path.name.startswith("._")]
    if any(MOODLE_FOLDER.match(entry.path.parts[0]) for entry in entries):
        return _moodle(entries, source)
    if any(CANVAS_FILE.match(entry.path.name) and len(entry.path.parts) <= 2 for entry in entries):
        return _canvas(entries, source)
    return _plain(entries, source, notebook_name)


def _choose(notebooks: list[_Entry], notebook_name: str | None) -> _Entry | None:
    """The notebook named as in the rubric, else the only one; None when there is none or no way to tell."""
    named = [n for n in notebooks if n.path.name == notebook_name]
    if named:
        return named[-1]
    return notebooks[0] if len(notebooks) == 1 else None


# -- writing -----------------------------------------------------------------------------------------
class _TooLarge(Exception):
    """One file is over the cap per file: its student's problem, not the archive's."""


def _copy_capped(entry: _Entry, target: Path, limits: IntakeLimits, written: int, source: Path) -> int:
    """Copy one file, counting bytes as they come (headers can lie); returns the new running total."""
    file_cap, total_cap = limits.max_file_mb * 1024 * 1024, limits.max_total_mb * 1024 * 1024
    size = 0
    with entry.open() as reader, open(target, "wb") as writer:
        while chunk := reader.read(1024 * 1024):
            size += len(chunk)
            if size > file_cap:
                raise _TooLarge(f"{entry.path.name}: the notebook is over the {limits.max_file_mb} MB cap per file, so it was not unpacked")
            if written + size > total_cap:
                raise SubmissionsError(f"{source}: unpacks to more than {limits.max_total_mb} MB, over the cap; refusing to unpack it")
            writer.write(chunk)
    return written + size


def unpack_submissions(path: Path | str, workdir: Path | str, notebook_name: str | None = None, limits: IntakeLimits = IntakeLimits()) -> tuple[Path, Roster]:
    """The folder to grade and the roster of an LMS download (zip or folder); a plain folder is returned as is."""
    path, workdir = Path(path), Path(workdir)
    if not path.exists():
        raise SubmissionsError(f"{path}: no such submissions folder or archive")
    bundle = None
    if path.is_dir():
        entries = _folder_entries(path, limits)
    elif zipfile.is_zipfile(path):
        bundle, entries = _zip_entries(path, limits)
    else:
        raise SubmissionsError(f"{path}: neither a folder nor a zip archive")
    try:
        roster, students = _recognise(entries, path.name, notebook_name)
        if bundle is None and roster.lms == "folder":
            return path, Roster(lms="folder", source=path.name)
        if not students:
            raise SubmissionsError(f"{path}: no submissions found (expected a Moodle or Canvas download, or <student>.ipynb files)")
        if workdir.exists():
            shutil.rmtree(workdir)
        workdir.mkdir(parents=True)
        _write_students(students, roster, workdir, notebook_name, limits, path)
    except OSError as problem:
        raise SubmissionsError(f"{path}: cannot unpack ({problem})") from None
    except (zipfile.BadZipFile, EOFError) as problem:
        raise SubmissionsError(f"{path}: damaged archive ({problem})") from None
    finally:
        if bundle is not None:
            bundle.close()
    return workdir, roster


def _write_students(students: dict[str, _Student], roster: Roster, workdir: Path, notebook_name: str | None, limits: IntakeLimits, source: Path) -> None:
    """Write each student's chosen notebook (or an empty folder); a refused download leaves no folder behind."""
    written = 0
    try:
        for student, found in sorted(students.items()):
            chosen = _choose(found.notebooks, notebook_name)
            if chosen is None:
                (workdir / student).mkdir()  # graded as "no notebook", so the student still gets a result
            else:
                found.entry.notebook = str(chosen.path)
                try:
                    written = _copy_capped(chosen, workdir / f"{student}.ipynb", limits, written, source)
                except _TooLarge as problem:
                    (workdir / f"{student}.ipynb").unlink()
                    (workdir / student).mkdir()
                    found.entry.refused = str(problem)
            roster.students[student] = found.entry
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


__all__ = ["IntakeLimits", "slug", "unpack_submissions"]
