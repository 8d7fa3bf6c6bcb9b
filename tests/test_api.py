"""A batch through the real pipeline (real kernels, local sandbox, real SQLite): results, reports, resume."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time

import yaml

from grader import api, reference
from grader.results import CheckStatus
from tests.conftest import GOOD_CELLS, write_notebook


def make_batch(folder, count_good=2):
    for index in range(count_good):
        write_notebook(folder / f"good{index}.ipynb", GOOD_CELLS)
    write_notebook(folder / "crash" / "tiny.ipynb", [("raise RuntimeError('oops')", ["ex1"]), GOOD_CELLS[1]])
    (folder / "broken.ipynb").write_text("{ this is not json")


def rows(database):
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT student, score FROM results ORDER BY student").fetchall()


def test_grade_batch_writes_results_reports_csv_and_gradebook(tiny_course, tmp_path):
    make_batch(tmp_path / "subs")
    summary = api.grade(tmp_path / "subs", "tiny", tmp_path / "out", jobs=2, course=tiny_course, progress=False)
    scores = {r.student: r.score for r in summary.results}
    assert scores == {"good0": 9, "good1": 9, "crash": 3, "broken": 0}
    broken = next(r for r in summary.results if r.student == "broken")
    assert not broken.graded and "invalid JSON" in broken.error
    crash = next(r for r in summary.results if r.student == "crash")
    lost = next(c for c in crash.checks if c.check_id == "double-values")
    assert lost.status == CheckStatus.error and "cell 1 (ex1) raised RuntimeError: oops" in lost.reason
    for student in scores:
        for suffix in (".json", ".md", ".html"):
            assert (tmp_path / "out" / "tiny" / f"{student}{suffix}").exists()
    assert "cell 1 (ex1) raised RuntimeError: oops" in (tmp_path / "out" / "tiny" / "crash.md").read_text()
    with open(tmp_path / "out" / "grades.csv") as handle:
        table = {row["student"]: row for row in csv.DictReader(handle)}
    assert table["good0"]["score"] == "9" and table["crash"]["double-values"] == "0" and table["good0"]["essay"] == ""
    assert [student for student, _ in rows(tmp_path / "out" / "gradebook.sqlite")] == ["broken", "crash", "good0", "good1"]


def test_rerun_skips_unchanged_and_regrades_changed_or_forced(tiny_course, tmp_path, capsys):
    make_batch(tmp_path / "subs", count_good=1)
    seen = []
    api.grade(tmp_path / "subs", "tiny", tmp_path / "out", course=tiny_course, on_result=lambda done, total, result: seen.append((done, total, result.student)))
    assert [(done, total) for done, total, _ in seen] == [(1, 3), (2, 3), (3, 3)] and sorted(student for *_, student in seen) == ["broken", "crash", "good0"]
    assert "good0" not in capsys.readouterr().err  # the library reports results; drawing them is the CLI's job
    again = api.grade(tmp_path / "subs", "tiny", tmp_path / "out", course=tiny_course, progress=False)
    assert again.graded == [] and sorted(again.skipped) == ["broken", "crash", "good0"]
    write_notebook(tmp_path / "subs" / "good0.ipynb", [GOOD_CELLS[0]])
    changed = api.grade(tmp_path / "subs", "tiny", tmp_path / "out", course=tiny_course, progress=False)
    assert "good0" in changed.graded and "crash" in changed.skipped
    forced = api.grade(tmp_path / "subs", "tiny", tmp_path / "out", course=tiny_course, force=True, progress=False, on_result=lambda *told: seen.append(told))
    assert sorted(forced.graded) == ["broken", "crash", "good0"]
    assert len(seen) == 3  # progress=False, as before on_result existed: nothing is reported


def rows_so_far(database):
    """The rows a running batch has stored; none while the file or its table is still being created."""
    try:
        return rows(database) if database.exists() else []
    except sqlite3.OperationalError:  # "no such table" between the file's creation and the schema's
        return []


def test_killed_run_resumes_without_losing_or_duplicating(tiny_course, tmp_path):
    for index in range(4):
        write_notebook(tmp_path / "subs" / f"s{index}.ipynb", GOOD_CELLS)
    database = tmp_path / "out" / "gradebook.sqlite"
    command = [sys.executable, "-m", "grader", "--course", str(tiny_course), "grade", str(tmp_path / "subs"), "-a", "tiny", "--out", str(tmp_path / "out")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(rows_so_far(database)) < 1:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done_before = rows(database)
    assert 1 <= len(done_before) < 4
    summary = api.grade(tmp_path / "subs", "tiny", tmp_path / "out", course=tiny_course, progress=False)
    assert sorted(summary.skipped) == sorted(student for student, _ in done_before)
    assert rows(database) == [(f"s{index}", 9.0) for index in range(4)]


def test_validate_reference_and_samples(tiny_course):
    samples = tiny_course / "assignments" / "tiny" / "samples"
    write_notebook(samples / "good.ipynb", GOOD_CELLS)
    write_notebook(samples / "no_greeting.ipynb", [GOOD_CELLS[0]])
    (samples / "expected.yaml").write_text(yaml.safe_dump({"good": 9, "no_greeting": 7}))
    outcomes = api.validate("tiny", course=tiny_course, progress=False)
    assert {(o.name, o.result.score, o.ok) for o in outcomes} == {("reference", 9, True), ("good", 9, True), ("no_greeting", 7, True)}
    (samples / "expected.yaml").write_text(yaml.safe_dump({"good": 9, "no_greeting": 9}))
    assert not all(o.ok for o in api.validate("tiny", course=tiny_course, progress=False))


def test_check_runs_public_checks_only(tiny_course, tmp_path):
    path = write_notebook(tmp_path / "tiny.ipynb", [GOOD_CELLS[0], ("def greeting():\n    return 'bye'", ["ex2"])])
    result = api.check(path, course=tiny_course)
    assert result.public_only
    assert {c.check_id for c in result.checks} == {"double-values", "greeting"}
    greeting = next(c for c in result.checks if c.check_id == "greeting")
    assert greeting.status == CheckStatus.failed and "it should say hello" in greeting.reason


def test_reference_runs_once_per_content_across_results_folders(tiny_course, tmp_path, monkeypatch, private_grader_cache):
    from grader import pipeline

    runs = []
    real = pipeline.grade_submission

    def observed(submission, *arguments, **options):  # the real pipeline; only counts reference runs
        if options.get("is_reference"):
            runs.append(submission.path)
        return real(submission, *arguments, **options)

    monkeypatch.setattr(reference, "grade_submission", observed)
    write_notebook(tmp_path / "subs" / "good.ipynb", GOOD_CELLS)
    first = api.grade(tmp_path / "subs", "tiny", tmp_path / "out1", course=tiny_course, progress=False)
    second = api.grade(tmp_path / "subs", "tiny", tmp_path / "out2", course=tiny_course, progress=False)
    assert len(runs) == 1 and first.results[0].score == second.results[0].score == 9
    # A changed reference notebook is new content: it runs again, and its data is what judges see.
    write_notebook(tiny_course / "reference" / "tiny" / "tiny.ipynb", [("def double(x):\n    return 3 * x", ["ex1"]), GOOD_CELLS[1]])
    third = api.grade(tmp_path / "subs", "tiny", tmp_path / "out3", course=tiny_course, progress=False)
    assert len(runs) == 2
    assert {c.check_id: c.points_awarded for c in third.results[0].checks}["double-reference"] == 0
    assert len(list((private_grader_cache / "reference").glob("reference-tiny-*.json"))) == 2


def write_hostile_notebooks(folder):
    """Notebook files written to stop a batch: each must cost its author alone."""
    head = '{"nbformat": 4, "nbformat_minor": 5, "metadata": {"x": '
    tail = '}, "cells": []}'
    (folder / "b_deeply_nested.ipynb").write_text(head + "[" * 100_000 + "]" * 100_000 + tail)
    (folder / "c_huge_integer.ipynb").write_text(head + "9" * 5000 + tail)
    (folder / "d_bad_utf8.ipynb").write_bytes((head + '"').encode() + b"\xff\xfe caf\xe9" + ('"' + tail).encode())
    (folder / "e_lone_surrogate.ipynb").write_text(head + '"\\ud800"' + tail)
    (folder / os.fsdecode(b"f_latin1_name_\xe9.ipynb")).write_text("{ this is not json")


def test_hostile_notebooks_in_the_middle_cost_only_their_authors(tiny_course, tmp_path):
    subs = tmp_path / "subs"
    write_notebook(subs / "a_good.ipynb", GOOD_CELLS)
    write_hostile_notebooks(subs)
    write_notebook(subs / "z_good.ipynb", GOOD_CELLS)
    summary = api.grade(subs, "tiny", tmp_path / "out", jobs=2, course=tiny_course, progress=False)
    results = {r.student: r for r in summary.results}
    assert {student: r.score for student, r in results.items() if r.graded} == {"a_good": 9, "z_good": 9}
    reasons = {student: r.error for student, r in results.items() if not r.graded}
    assert "nested more than" in reasons["b_deeply_nested"] and "more than 4300 digits" in reasons["c_huge_integer"]
    assert "not UTF-8" in reasons["d_bad_utf8"] and "surrogate" in reasons["e_lone_surrogate"]
    assert "invalid JSON" in reasons["f_latin1_name_\\xe9"]
    assert all("\n" not in reason and len(reason) < 400 for reason in reasons.values())
    out = tmp_path / "out"
    with open(out / "grades.csv", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 7
    assert len(rows(out / "gradebook.sqlite")) == 7 and (out / "tiny" / "index.html").exists()
    assert "not UTF-8" in (out / "tiny" / "d_bad_utf8.md").read_text(encoding="utf-8")


def test_a_grader_failure_on_one_submission_is_that_students_result(tiny_course, tmp_path, monkeypatch):
    # The real path for notebooks the loader refuses is the test above; this one reaches the net under
    # everything else (a grader bug while grading one notebook), which no real notebook should trigger.
    real = api.grade_submission

    def fails_for_boom(submission, *args, **kwargs):
        if submission.student == "boom":
            raise KeyError("a grader bug")
        return real(submission, *args, **kwargs)

    monkeypatch.setattr(api, "grade_submission", fails_for_boom)
    for name in ("boom", "good"):
        write_notebook(tmp_path / "subs" / f"{name}.ipynb", GOOD_CELLS)
    summary = api.grade(tmp_path / "subs", "tiny", tmp_path / "out", course=tiny_course, progress=False)
    results = {r.student: r for r in summary.results}
    assert results["good"].score == 9 and not results["boom"].graded
    assert "KeyError" in results["boom"].error and all(c.points_awarded == 0 for c in results["boom"].checks)
    assert (tmp_path / "out" / "grades.csv").exists() and (tmp_path / "out" / "tiny" / "index.html").exists()
    monkeypatch.setattr(api, "grade_submission", real)
    again = api.grade(tmp_path / "subs", "tiny", tmp_path / "out", course=tiny_course, progress=False)
    assert again.graded == ["boom"] and again.skipped == ["good"]  # a grader fault is retried, never kept as the grade
    assert {r.student: r.score for r in again.results} == {"boom": 9, "good": 9}
