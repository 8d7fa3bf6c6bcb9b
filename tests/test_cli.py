"""The CLI only translates: every command has help, calls one API function, and turns errors into one line."""

from __future__ import annotations

import functools
import io
import subprocess
import sys
from pathlib import Path

import pytest

from grader import api, cli
from grader.results import CheckStatus
from tests.conftest import write_notebook

COMMANDS = ["grade", "check", "assign", "validate", "export", "schema", "list", "image"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main([command, "--help"])
    assert done.value.code == 0
    assert "usage: grader" in capsys.readouterr().out


def test_grade_translates_options_into_one_api_call(monkeypatch, tmp_path):
    calls = []

    @functools.wraps(api.grade)  # keeps the signature the parser reads its defaults from
    def fake_grade(*args, **kwargs):
        calls.append((args, kwargs))
        from grader.results import BatchSummary

        return BatchSummary(assignment_id="pw06-mlp", out_dir=str(tmp_path))

    monkeypatch.setattr(api, "grade", fake_grade)
    assert cli.main(["grade", "subs", "-a", "pw06-mlp", "-j", "3", "--force", "--out", str(tmp_path)]) == 0
    ((args, kwargs),) = calls
    assert args == (Path("subs"), "pw06-mlp", tmp_path)
    assert callable(kwargs.pop("on_result"))  # the CLI draws progress; the library only reports results
    assert kwargs == {"jobs": 3, "force": True, "sandbox": "local", "gpus": None, "course": None, "cluster": None}
    assert cli.main(["grade", "subs", "-a", "pw06-mlp", "--cluster", "tcp://10.0.0.5:8786", "--gpus", "1"]) == 0
    assert calls[-1][1]["cluster"] == "tcp://10.0.0.5:8786" and calls[-1][1]["gpus"] == "1"


def test_defaults_come_from_the_api_signature():
    parser = cli.build_parser()
    arguments = parser.parse_args(["grade", "x", "-a", "y"])
    assert arguments.jobs == cli.default(api.grade, "jobs") and arguments.sandbox == cli.default(api.grade, "sandbox")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def finished(student: str, assignment: str = "tiny"):
    from tests.reports.samples import check, result

    return result(student, [check("c", "C", 5, 2.5, CheckStatus.partial, "half")], duration=3.2, assignment=assignment)


def test_progress_in_a_log_is_one_plain_line_per_notebook_with_control_characters_defused():
    log = io.StringIO()
    with cli.progress_display(log) as on_result:
        on_result(1, 2, finished("doejane"))
        on_result(2, 2, finished("eve\x1b]0;pwned\x07"))
    assert log.getvalue().splitlines() == [
        "[############............] 1/2  doejane: 2.5/20 (3 s)",
        "[########################] 2/2  eve?]0;pwned?: 2.5/20 (3 s)",
    ]


def test_progress_on_a_terminal_is_a_rich_bar_per_assignment_that_stays(monkeypatch):
    terminal = Terminal()
    with cli.progress_display(terminal) as on_result:
        on_result(1, 2, finished("doejane"))
        on_result(2, 2, finished("[bold]mallory"))
        on_result(1, 1, finished("reference", assignment="pw06"))
    final = terminal.getvalue().rsplit("\r", 1)[-1]  # the last frame: what stays on screen (not transient)
    assert "tiny" in final and "2/2" in final and "pw06" in final and "1/1" in final
    assert "[bold]mallory: 2.5/20 (3 s)" in final  # a name is text, never rich markup


def test_validate_passes_the_progress_callback(monkeypatch, tmp_path):
    calls = []

    @functools.wraps(api.validate)
    def fake_validate(*args, **kwargs):
        calls.append(kwargs)
        kwargs["on_result"](1, 1, finished("good"))
        return []

    monkeypatch.setattr(api, "validate", fake_validate)
    assert cli.main(["validate", "tiny"]) == 0
    assert calls[0]["jobs"] == 1 and callable(calls[0]["on_result"])


def run_cli(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *arguments], capture_output=True, text=True, cwd=cwd, timeout=120)


def assert_one_line_error(done: subprocess.CompletedProcess, *fragments: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grader: error: "), done.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_missing_submissions_folder(tiny_course, tmp_path):
    assert_one_line_error(run_cli("--course", str(tiny_course), "grade", str(tmp_path / "nowhere"), "-a", "tiny"), "nowhere", "no such submissions folder")


def test_empty_submissions_folder(tiny_course, tmp_path):
    (tmp_path / "empty").mkdir()
    assert_one_line_error(run_cli("--course", str(tiny_course), "grade", str(tmp_path / "empty"), "-a", "tiny"), "no notebooks found")


def test_unknown_assignment(tiny_course, tmp_path):
    write_notebook(tmp_path / "subs" / "a.ipynb", ["x = 1"])
    assert_one_line_error(run_cli("--course", str(tiny_course), "grade", str(tmp_path / "subs"), "-a", "nope"), "'nope'", "known: tiny")


def test_rubric_with_unknown_kind(tiny_course, tmp_path):
    rubric = tiny_course / "rubrics" / "tiny.yaml"
    rubric.write_text(rubric.read_text().replace("kind: static", "kind: psychic"))
    write_notebook(tmp_path / "subs" / "a.ipynb", ["x = 1"])
    assert_one_line_error(run_cli("--course", str(tiny_course), "grade", str(tmp_path / "subs"), "-a", "tiny"), str(rubric), "'psychic'")


def test_rubric_missing_field(tiny_course, tmp_path):
    rubric = tiny_course / "rubrics" / "tiny.yaml"
    rubric.write_text(rubric.read_text().replace("notebook: tiny.ipynb\n", ""))
    assert_one_line_error(run_cli("--course", str(tiny_course), "validate", "tiny"), "notebook: required field is missing")


@pytest.mark.parametrize("content, fragment", [("not json at all", "invalid JSON"), ('{"nbformat": 3, "nbformat_minor": 0, "worksheets": []}', "nbformat 3")])
def test_check_bad_notebook(tiny_course, tmp_path, content, fragment):
    path = tmp_path / "tiny.ipynb"
    path.write_text(content)
    assert_one_line_error(run_cli("--course", str(tiny_course), "check", str(path)), str(path), fragment)


def test_export_without_gradebook(tmp_path):
    assert_one_line_error(run_cli("export", str(tmp_path)), "no gradebook.sqlite")


def test_rubric_with_misspelled_formula(tiny_course, tmp_path):
    rubric = tiny_course / "rubrics" / "tiny.yaml"
    rubric.write_text(rubric.read_text().replace("formula: twice", "formula: twise"))
    write_notebook(tmp_path / "subs" / "a.ipynb", ["x = 1"])
    done = run_cli("--course", str(tiny_course), "grade", str(tmp_path / "subs"), "-a", "tiny", "--out", str(tmp_path / "out"))
    assert_one_line_error(done, "tiny.yaml", "checks[double-values].formula", "'twise'", "did you mean 'twice'")
    assert not (tmp_path / "out").exists()  # refused before anything ran
