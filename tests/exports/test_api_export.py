"""``grader export``: the gradebook (a real SQLite file) and the roster saved beside the results, in each format."""

from __future__ import annotations

import csv
import functools
import io
import json
from pathlib import Path

import pytest

from grader import api, cli
from grader.errors import InputError
from grader.lms import save_roster
from grader.store import Gradebook
from tests.reports.samples import sample_results, sample_roster


@pytest.fixture
def results_dir(tmp_path) -> Path:
    folder = tmp_path / "results"
    with Gradebook(folder / "gradebook.sqlite") as book:
        for result in sample_results():
            book.save(result)
    save_roster(sample_roster("canvas"), folder / "pw06-mlp")
    return folder


def test_canvas_export_uses_the_roster_saved_by_intake(results_dir):
    path = api.export(results_dir, "canvas", column="PW06 (4321)")
    assert path == results_dir / "export-canvas.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0][-1] == "PW06 (4321)"
    assert sorted(row[1] for row in rows[2:]) == ["1234", "2345", "3456", "4567"]


def test_every_format_writes_from_the_gradebook(results_dir):
    assert api.export(results_dir, "csv").read_text().startswith("student,assignment,score")
    assert api.export(results_dir, "moodle").read_text().startswith("Identifier,Full name")
    folder = api.export(results_dir, "gradescope")
    assert json.loads((folder / "doejane-1234" / "results.json").read_text())["score"] == 15


def test_one_column_for_several_assignments_is_refused(results_dir):
    other = sample_results()[0].model_copy(update={"assignment_id": "pw07-cnn"})
    with Gradebook(results_dir / "gradebook.sqlite") as book:
        book.save(other)
    with pytest.raises(InputError, match="pass --assignment"):
        api.export(results_dir, "canvas", column="PW06 (4321)")
    rows = list(csv.reader(io.StringIO(api.export(results_dir, "canvas", assignment_id="pw06-mlp", column="PW06 (4321)").read_text())))
    assert len(rows) == 2 + 4
    header = next(csv.reader(io.StringIO(api.export(results_dir, "canvas").read_text())))
    assert header[-2:] == ["pw06-mlp", "pw07-cnn"]


def test_unknown_format_is_one_line(results_dir):
    with pytest.raises(InputError, match="unknown export format 'blackboard' \\(known: canvas, csv, gradescope, moodle\\)"):
        api.export(results_dir, "blackboard")


def test_cli_export_translates_options(monkeypatch, tmp_path):
    calls = []

    @functools.wraps(api.export)
    def fake_export(*args, **kwargs):
        calls.append((args, kwargs))
        return tmp_path / "out.csv"

    monkeypatch.setattr(api, "export", fake_export)
    assert cli.main(["export", "results", "-f", "canvas", "-a", "pw06-mlp", "--column", "PW06 (4321)"]) == 0
    assert calls == [((Path("results"), "canvas", None), {"assignment_id": "pw06-mlp", "column": "PW06 (4321)"})]
