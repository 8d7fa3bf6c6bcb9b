"""Intake of LMS downloads: archives built here with zipfile, hostile entries included."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from grader.errors import SubmissionsError
from grader.lms import IntakeLimits, load_roster, save_roster, unpack_submissions

NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def build_zip(path: Path, entries: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, content in entries.items():
            bundle.writestr(name, content)
    return path


def add_symlink(archive: Path, name: str, target: str) -> None:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(archive, "a") as bundle:
        bundle.writestr(info, target)


def test_moodle_download_becomes_one_notebook_per_student(tmp_path):
    archive = build_zip(
        tmp_path / "PW06-download.zip",
        {
            "Jane Doe_1234_assignsubmission_file_/pw06-mlp.ipynb": NOTEBOOK,
            "Jane Doe_1234_assignsubmission_file_/notes.pdf": b"%PDF",
            "Jane Doe_1234_assignsubmission_onlinetext_/onlinetext.html": "<p>hi</p>",
            "José Álvarez_2001_assignsubmission_file_/work/pw06-mlp.ipynb": NOTEBOOK,
            "Only Pdf_3001_assignsubmission_file_/report.pdf": b"%PDF",
            "__MACOSX/Jane Doe_1234_assignsubmission_file_/._pw06-mlp.ipynb": b"junk",
        },
    )
    folder, roster = unpack_submissions(archive, tmp_path / "intake", "pw06-mlp.ipynb")
    assert folder == tmp_path / "intake"
    assert sorted(p.name for p in folder.iterdir()) == ["jane-doe-1234.ipynb", "jose-alvarez-2001.ipynb", "only-pdf-3001"]
    assert (folder / "jane-doe-1234.ipynb").read_text() == NOTEBOOK
    assert list((folder / "only-pdf-3001").iterdir()) == []  # graded as "no notebook": the student still gets a result
    jane = roster.students["jane-doe-1234"]
    assert (roster.lms, jane.name, jane.lms_user_id, jane.notebook, jane.late) == ("moodle", "Jane Doe", "1234", "pw06-mlp.ipynb", False)
    assert sorted(jane.files) == ["notes.pdf", "onlinetext.html", "pw06-mlp.ipynb"]
    assert roster.students["jose-alvarez-2001"].name == "José Álvarez"
    assert roster.students["only-pdf-3001"].notebook is None


def test_flat_moodle_download_is_understood(tmp_path):
    archive = build_zip(tmp_path / "flat.zip", {"Jane Doe_1234_assignsubmission_file_pw06-mlp.ipynb": NOTEBOOK})
    folder, roster = unpack_submissions(archive, tmp_path / "intake", "pw06-mlp.ipynb")
    assert [p.name for p in folder.iterdir()] == ["jane-doe-1234.ipynb"]
    assert roster.students["jane-doe-1234"].notebook == "pw06-mlp.ipynb"


def test_canvas_submissions_zip_with_late_marks_and_resubmissions(tmp_path):
    archive = build_zip(
        tmp_path / "submissions.zip",
        {
            "doejane_1234_98765_pw06-mlp.ipynb": NOTEBOOK,
            "smithbob_late_2345_98766_pw06-mlp-2.ipynb": NOTEBOOK,
            "smithbob_late_2345_98766_scratch.ipynb": NOTEBOOK,
            "leecarol_3456_98767_answers.pdf": b"%PDF",
        },
    )
    folder, roster = unpack_submissions(archive, tmp_path / "intake", "pw06-mlp.ipynb")
    assert sorted(p.name for p in folder.iterdir()) == ["doejane-1234.ipynb", "leecarol-3456", "smithbob-2345.ipynb"]
    bob = roster.students["smithbob-2345"]
    assert (roster.lms, bob.login, bob.lms_user_id, bob.submission_id, bob.late, bob.notebook) == ("canvas", "smithbob", "2345", "98766", True, "pw06-mlp.ipynb")
    assert roster.students["doejane-1234"].late is False


def test_plain_zip_with_a_wrapping_folder(tmp_path):
    archive = build_zip(tmp_path / "batch.zip", {"batch/alice.ipynb": NOTEBOOK, "batch/bob/pw06-mlp.ipynb": NOTEBOOK, "batch/bob/data.csv": "1,2"})
    folder, roster = unpack_submissions(archive, tmp_path / "intake", "pw06-mlp.ipynb")
    assert sorted(p.name for p in folder.iterdir()) == ["alice.ipynb", "bob.ipynb"]
    assert roster.lms == "folder"
    one = build_zip(tmp_path / "one.zip", {"bob/pw06-mlp.ipynb": NOTEBOOK, "bob/data/train.csv": "1,2", "bob/old/draft.ipynb": NOTEBOOK})
    folder, _ = unpack_submissions(one, tmp_path / "intake-one", "pw06-mlp.ipynb")
    assert [p.name for p in folder.iterdir()] == ["bob.ipynb"]  # one student's folder is not a wrapper


def test_plain_folder_is_graded_where_it_is(tmp_path):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "alice.ipynb").write_text(NOTEBOOK)
    folder, roster = unpack_submissions(tmp_path / "subs", tmp_path / "intake")
    assert folder == tmp_path / "subs" and roster.students == {} and not (tmp_path / "intake").exists()


def test_unpacked_moodle_folder_is_normalised_too(tmp_path):
    download = tmp_path / "download"
    (download / "Jane Doe_1234_assignsubmission_file_").mkdir(parents=True)
    (download / "Jane Doe_1234_assignsubmission_file_" / "pw06-mlp.ipynb").write_text(NOTEBOOK)
    folder, roster = unpack_submissions(download, tmp_path / "intake", "pw06-mlp.ipynb")
    assert [p.name for p in folder.iterdir()] == ["jane-doe-1234.ipynb"] and roster.lms == "moodle"


@pytest.mark.parametrize("name", ["../escape.ipynb", "Jane Doe_1_assignsubmission_file_/../../escape.ipynb", "/etc/escape.ipynb", "C:/escape.ipynb", "a\\..\\..\\escape.ipynb"])
def test_path_traversal_refuses_the_whole_archive(tmp_path, name):
    archive = build_zip(tmp_path / "evil.zip", {"alice.ipynb": NOTEBOOK, name: NOTEBOOK})
    with pytest.raises(SubmissionsError) as refused:
        unpack_submissions(archive, tmp_path / "work" / "intake")
    message = str(refused.value)
    assert message.startswith(f"{archive}: entry ") and "points outside the archive" in message and "\n" not in message
    assert not (tmp_path / "work").exists() and not (tmp_path / "escape.ipynb").exists()


def test_symlink_entry_refuses_the_whole_archive(tmp_path):
    archive = build_zip(tmp_path / "links.zip", {"alice.ipynb": NOTEBOOK})
    add_symlink(archive, "bob.ipynb", "/etc/passwd")
    with pytest.raises(SubmissionsError, match=r"links\.zip: entry 'bob\.ipynb' is a symbolic link; refusing to unpack it"):
        unpack_submissions(archive, tmp_path / "intake")
    assert not (tmp_path / "intake").exists()


def test_too_many_files_is_refused(tmp_path):
    archive = build_zip(tmp_path / "many.zip", {f"s{i}.ipynb": NOTEBOOK for i in range(6)})
    with pytest.raises(SubmissionsError, match="holds 6 entries, over the cap of 5"):
        unpack_submissions(archive, tmp_path / "intake", limits=IntakeLimits(max_files=5))


def test_size_caps_are_counted_while_extracting(tmp_path):
    bomb = build_zip(tmp_path / "bomb.zip", {"alice.ipynb": b"0" * (3 * 1024 * 1024), "bob.ipynb": NOTEBOOK})  # compresses to a few KB
    assert bomb.stat().st_size < 100_000
    folder, roster = unpack_submissions(bomb, tmp_path / "intake", limits=IntakeLimits(max_file_mb=2))
    assert "over the 2 MB cap per file" in roster.students["alice"].refused and (folder / "bob.ipynb").read_text() == NOTEBOOK
    assert not (folder / "alice.ipynb").exists() and list((folder / "alice").iterdir()) == []
    many = build_zip(tmp_path / "total.zip", {f"s{i}.ipynb": b"0" * (700 * 1024) for i in range(3)})
    with pytest.raises(SubmissionsError, match="unpacks to more than 1 MB, over the cap"):
        unpack_submissions(many, tmp_path / "intake2", limits=IntakeLimits(max_total_mb=1))
    assert not (tmp_path / "intake2").exists()


def test_an_oversize_notebook_costs_only_its_student(tmp_path):
    # A Moodle download where one student handed in a notebook over the cap (101 MB of padding, a few KB zipped).
    oversize = NOTEBOOK[:-1] + ', "padding": "' + " " * (101 * 1024 * 1024) + '"}'
    archive = build_zip(
        tmp_path / "moodle.zip",
        {
            "Jane Doe_1234_assignsubmission_file_/pw06-mlp.ipynb": NOTEBOOK,
            "Huge Hugo_2001_assignsubmission_file_/pw06-mlp.ipynb": oversize,
            "Zoe Zed_3001_assignsubmission_file_/pw06-mlp.ipynb": NOTEBOOK,
        },
    )
    assert archive.stat().st_size < 1_000_000
    folder, roster = unpack_submissions(archive, tmp_path / "intake", "pw06-mlp.ipynb")
    assert sorted(p.name for p in folder.iterdir()) == ["huge-hugo-2001", "jane-doe-1234.ipynb", "zoe-zed-3001.ipynb"]
    hugo = roster.students["huge-hugo-2001"]
    assert hugo.refused == "pw06-mlp.ipynb: the notebook is over the 100 MB cap per file, so it was not unpacked"
    assert roster.students["jane-doe-1234"].refused is None and roster.students["zoe-zed-3001"].refused is None
    assert sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) == 2 * len(NOTEBOOK)


def test_headers_that_lie_about_sizes_do_not_help(tmp_path):
    archive = build_zip(tmp_path / "liar.zip", {"alice.ipynb": b"0" * (3 * 1024 * 1024)})
    data = bytearray(archive.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")  # the central directory claims 10 bytes
    archive.write_bytes(bytes(data))
    with pytest.raises(SubmissionsError) as refused:
        unpack_submissions(archive, tmp_path / "intake", limits=IntakeLimits(max_file_mb=2))
    assert str(refused.value) == f"{archive}: damaged archive (Bad CRC-32 for file 'alice.ipynb')"
    assert not (tmp_path / "intake").exists(), "nothing half-written is left to grade"


@pytest.mark.parametrize("content, fragment", [(b"not a zip at all", "neither a folder nor a zip archive"), (None, "no such submissions folder or archive")])
def test_bad_inputs_are_one_line(tmp_path, content, fragment):
    path = tmp_path / "submissions.zip"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SubmissionsError, match=fragment):
        unpack_submissions(path, tmp_path / "intake")


def test_archive_without_submissions_is_refused(tmp_path):
    archive = build_zip(tmp_path / "empty.zip", {"readme.txt": "nothing"})
    with pytest.raises(SubmissionsError, match="no submissions found"):
        unpack_submissions(archive, tmp_path / "intake")


def test_a_second_download_replaces_the_first(tmp_path):
    first = build_zip(tmp_path / "one.zip", {"doejane_1234_1_pw06-mlp.ipynb": NOTEBOOK})
    second = build_zip(tmp_path / "two.zip", {"smithbob_2345_2_pw06-mlp.ipynb": NOTEBOOK})
    unpack_submissions(first, tmp_path / "intake")
    folder, _ = unpack_submissions(second, tmp_path / "intake")
    assert [p.name for p in folder.iterdir()] == ["smithbob-2345.ipynb"]


def test_roster_round_trips_through_json(tmp_path):
    archive = build_zip(tmp_path / "submissions.zip", {"smithbob_late_2345_98766_pw06-mlp.ipynb": NOTEBOOK})
    _, roster = unpack_submissions(archive, tmp_path / "intake")
    path = save_roster(roster, tmp_path / "results" / "pw06-mlp")
    assert path.name == "roster.json"
    assert load_roster(tmp_path / "results" / "pw06-mlp") == roster
    path.write_text('{"lms": "blackboard", "source": "x"}')
    with pytest.raises(Exception, match=r"roster\.json: not a valid roster \(lms: "):
        load_roster(tmp_path / "results" / "pw06-mlp")
