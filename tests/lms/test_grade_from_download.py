"""``grader grade submissions.zip``: a real Canvas download graded end to end (real kernels, real SQLite, real files)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import nbformat

from grader import api
from grader.lms import load_roster
from grader.results import CheckStatus
from grader.store import Gradebook
from tests.conftest import GOOD_CELLS, write_notebook


def notebook_text(tmp_path, cells) -> str:
    return nbformat.writes(nbformat.read(write_notebook(tmp_path / "scratch.ipynb", cells), as_version=4))


def test_canvas_zip_is_graded_with_identity_and_lateness(tmp_path, tiny_course):
    (tiny_course / "rubrics" / "tiny.yaml").write_text((tiny_course / "rubrics" / "tiny.yaml").read_text() + "late_policy: {percent_per_day: 10, max_percent: 30}\n")
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("doejane_1234_98765_tiny.ipynb", notebook_text(tmp_path, GOOD_CELLS))
        bundle.writestr("smithbob_late_2345_98766_tiny-1.ipynb", notebook_text(tmp_path, GOOD_CELLS))
        bundle.writestr("leecarol_3456_98767_tiny.ipynb", notebook_text(tmp_path, [("x = 1\nraise ZeroDivisionError('boom')", ["ex1"]), GOOD_CELLS[1]]))
        bundle.writestr("nguyendave_4567_98768_essay.pdf", b"%PDF")
    results_dir = tmp_path / "results"

    summary = api.grade(archive, "tiny", results_dir, course=tiny_course, progress=False)

    scores = {r.student: r for r in summary.results}
    assert sorted(scores) == ["doejane-1234", "leecarol-3456", "nguyendave-4567", "smithbob-2345"]
    assert scores["doejane-1234"].score == 9 and scores["doejane-1234"].late_penalty == 0
    bob = scores["smithbob-2345"]
    assert (bob.days_late, bob.late_penalty, bob.score) == (1, 0.9, 8.1)  # late without a duration: one day, 10 %
    carol = scores["leecarol-3456"]
    assert carol.failing_cell.index == 0 and carol.failing_cell.error == "ZeroDivisionError: boom"
    assert carol.failing_cell.source == "x = 1\nraise ZeroDivisionError('boom')"
    assert not scores["nguyendave-4567"].graded and "no such notebook" in scores["nguyendave-4567"].error
    assert all(c.status == CheckStatus.pending for r in summary.results if r.graded for c in r.checks if c.check_id == "essay")

    reports = results_dir / "tiny"
    assert load_roster(reports).students["smithbob-2345"].late is True
    assert (results_dir / ".intake" / "tiny" / "smithbob-2345.ipynb").exists()
    with Gradebook(results_dir / "gradebook.sqlite") as book:
        assert book.get("tiny", "smithbob-2345").late_penalty == 0.9
    dashboard = (reports / "index.html").read_text()
    for student in scores:
        assert f'href="{student}.html"' in dashboard and (reports / f"{student}.html").exists()
    assert "raise ZeroDivisionError(&#39;boom&#39;)" in (reports / "leecarol-3456.html").read_text()
    assert json.loads((reports / "smithbob-2345.json").read_text())["days_late"] == 1

    rows = list(csv.reader(io.StringIO(api.export(results_dir, "canvas", column="Tiny (77)").read_text())))
    assert rows[0][-1] == "Tiny (77)" and rows[1][-1] == "12"  # the essay counts in the maximum
    assert sorted((row[1], row[-1]) for row in rows[2:]) == [("1234", "9"), ("2345", "8.1"), ("3456", "3"), ("4567", "0")]


def test_regrading_the_same_download_keeps_unchanged_results(tmp_path, tiny_course):
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("doejane_1234_98765_tiny.ipynb", notebook_text(tmp_path, GOOD_CELLS))
    api.grade(archive, "tiny", tmp_path / "results", course=tiny_course, progress=False)
    again = api.grade(archive, "tiny", tmp_path / "results", course=tiny_course, progress=False)
    assert again.skipped == ["doejane-1234"] and again.graded == []


def test_an_oversize_notebook_in_a_moodle_zip_leaves_only_its_student_ungraded(tmp_path, tiny_course):
    good = notebook_text(tmp_path, GOOD_CELLS)
    archive = tmp_path / "moodle.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("Jane Doe_1234_assignsubmission_file_/tiny.ipynb", good)
        bundle.writestr("Huge Hugo_2001_assignsubmission_file_/tiny.ipynb", good[:-2] + ', "padding": "' + " " * (101 * 1024 * 1024) + '"}\n')
    summary = api.grade(archive, "tiny", tmp_path / "results", course=tiny_course, progress=False)
    results = {r.student: r for r in summary.results}
    assert results["jane-doe-1234"].score == 9
    hugo = results["huge-hugo-2001"]
    assert not hugo.graded and "over the 100 MB cap per file" in hugo.error and hugo.score == 0
    assert "over the 100 MB cap per file" in (tmp_path / "results" / "tiny" / "huge-hugo-2001.md").read_text()
    assert (tmp_path / "results" / "grades.csv").exists()
