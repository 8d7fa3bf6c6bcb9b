"""Manual grading end to end: grade (real kernels), export pages and sheet, fill it in, import, see it everywhere."""

from __future__ import annotations

import csv
import functools
import io
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from grader import api, cli
from grader.errors import InputError
from grader.lms import Roster, RosterEntry, save_roster
from grader.results import CheckStatus
from grader.store import Gradebook
from tests.conftest import GOOD_CELLS, TINY_JUDGES, TINY_PROBES, TINY_RUBRIC, make_tiny_course, write_notebook

ESSAY = "  - id: essay\n    kind: manual\n    title: Essay\n    points: 3\n"
ESSAY_WITH_TAG = "  - id: essay\n    kind: manual\n    title: Essay\n    points: 3\n    exercise: ex5\n    prompt: Explains why ReLU helps.\n"


def student_notebook(path: Path, answer: str | None) -> Path:
    notebook = nbformat.v4.new_notebook()
    for source, tags in GOOD_CELLS:
        notebook.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": tags}))
    if answer is not None:
        notebook.cells.append(nbformat.v4.new_markdown_cell(answer, metadata={"tags": ["ex5"]}))
    notebook.cells.append(nbformat.v4.new_markdown_cell("Untagged notes the TA need not read."))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def graded_once(tmp_path_factory):
    """One real grading run for the module (three notebooks, real kernels); tests work on copies of its results."""
    root = tmp_path_factory.mktemp("manual")
    course = root / "course"
    (course / "rubrics" / "tiny").mkdir(parents=True)
    (course / "rubrics" / "tiny.yaml").write_text(TINY_RUBRIC.replace(ESSAY, ESSAY_WITH_TAG) + "late_policy: {percent_per_day: 10}\n")
    (course / "rubrics" / "tiny" / "probes.py").write_text(TINY_PROBES)
    (course / "rubrics" / "tiny" / "judges.py").write_text(TINY_JUDGES)
    write_notebook(course / "reference" / "tiny" / "tiny.ipynb", GOOD_CELLS)
    submissions = root / "submissions"
    student_notebook(submissions / "alice.ipynb", "ReLU keeps gradients alive: <b>no saturation</b> for x > 0.")
    student_notebook(submissions / "bob.ipynb", "It is faster.")
    student_notebook(submissions / "carol.ipynb", None)
    results_dir = root / "results"
    save_roster(Roster(lms="folder", source="submissions", students={"bob": RosterEntry(student="bob", late=True, days_late=2)}), results_dir / "tiny")
    api.grade(submissions, "tiny", results_dir, course=course, jobs=3, progress=False)
    return results_dir, course


@pytest.fixture
def graded(graded_once, tmp_path):
    results_dir, course = graded_once
    shutil.copytree(results_dir, tmp_path / "results")
    return tmp_path / "results", course


def fill(sheet: Path, scores: dict[tuple[str, str], tuple[str, str]], delimiter: str = ",") -> Path:
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    filled = tmp = sheet.with_name("filled.csv")
    with open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        for row in rows:
            row["points"], row["comment"] = scores.get((row["student"], row["check_id"]), (row["points"], row["comment"]))
            writer.writerow(row)
    return filled


def test_export_writes_a_page_of_answers_and_a_sheet(graded):
    results_dir, course = graded
    paths = api.manual_export(results_dir, "tiny", course=course)
    page, sheet = paths
    assert page == results_dir / "tiny" / "manual" / "essay.html" and sheet.name == "tiny-manual.csv"
    html = page.read_text()
    assert "Explains why ReLU helps." in html
    assert "ReLU keeps gradients alive: &lt;b&gt;no saturation&lt;/b&gt; for x &gt; 0." in html  # student text never renders
    assert "It is faster." in html and "No cell tagged ex5 in this notebook." in html
    assert "Untagged notes" not in html
    rows = list(csv.DictReader(io.StringIO(sheet.read_text())))
    assert [(r["student"], r["check_id"], r["points_possible"], r["points"], r["comment"]) for r in rows] == [
        ("alice", "essay", "3", "", ""),
        ("bob", "essay", "3", "", ""),
        ("carol", "essay", "3", "", ""),
    ]


def test_import_scores_rescores_and_rewrites_everything(graded):
    results_dir, course = graded
    sheet = api.manual_export(results_dir, "tiny", course=course)[-1]
    filled = fill(sheet, {("alice", "essay"): ("3", "Clear and correct."), ("bob", "essay"): ("1,5", "Faster, but why?")}, delimiter=";")

    changed = api.manual_import(filled, results_dir, course=course)

    assert sorted(r.student for r in changed) == ["alice", "bob"]
    with Gradebook(results_dir / "gradebook.sqlite") as book:
        alice, bob, carol = (book.get("tiny", s) for s in ("alice", "bob", "carol"))
    essay = {r.student: next(c for c in r.checks if c.check_id == "essay") for r in (alice, bob, carol)}
    assert (essay["alice"].status, essay["alice"].points_awarded, essay["alice"].reason) == (CheckStatus.passed, 3, "Clear and correct.")
    assert (essay["bob"].status, essay["bob"].points_awarded) == (CheckStatus.partial, 1.5)
    assert essay["carol"].status == CheckStatus.pending  # no points in the sheet: still pending
    assert (alice.score, alice.pending_points) == (12, 0)
    assert (bob.days_late, bob.late_penalty, bob.score) == (2, 2.1, 8.4)  # 20 % of 10.5 for two days late
    assert "Faster, but why?" in (results_dir / "tiny" / "bob.html").read_text()
    assert json.loads((results_dir / "tiny" / "alice.json").read_text())["score"] == 12
    assert "Clear and correct." in (results_dir / "tiny" / "alice.md").read_text()
    grades = {row["student"]: row for row in csv.DictReader(io.StringIO((results_dir / "grades.csv").read_text()))}
    assert (grades["alice"]["essay"], grades["bob"]["score"], grades["carol"]["essay"]) == ("3", "8.4", "")
    assert "1 to grade by hand" in (results_dir / "tiny" / "index.html").read_text()
    moodle = api.export(results_dir, "moodle").read_text()
    assert "Score: 8.4 / 12." in moodle

    again = api.manual_export(results_dir, "tiny", course=course)[-1]  # a new sheet keeps the work done
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(again.read_text()))}
    assert (rows["bob"]["points"], rows["bob"]["comment"], rows["carol"]["points"]) == ("1.5", "Faster, but why?", "")


@pytest.mark.parametrize(
    "row, message",
    [
        ("mallory,essay,3,3,x", "line 2: no result for student 'mallory' in tiny"),
        ("alice,greeting,2,2,x", "line 2: 'greeting' is not a manual item of tiny (manual items: essay)"),
        ("alice,essay,3,4,x", "line 2: 4 points is outside 0..3 for essay"),
        ("alice,essay,3,lots,x", "line 2: points 'lots' is not a number"),
    ],
)
def test_bad_sheets_are_refused_with_one_line_naming_the_line(graded, row, message):
    results_dir, course = graded
    sheet = results_dir / "sheet.csv"
    sheet.write_text("student,check_id,points_possible,points,comment\n" + row + "\n")
    with pytest.raises(InputError) as refused:
        api.manual_import(sheet, results_dir, "tiny", course=course)
    assert str(refused.value) == f"{sheet}: {message}"
    with Gradebook(results_dir / "gradebook.sqlite") as book:
        assert next(c for c in book.get("tiny", "alice").checks if c.check_id == "essay").status == CheckStatus.pending


def test_sheet_without_required_columns_and_missing_gradebook(graded, tmp_path):
    results_dir, course = graded
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("name,score\nalice,3\n")
    with pytest.raises(InputError, match="missing column\\(s\\) check_id, points, student"):
        api.manual_import(sheet, results_dir, course=course)
    with pytest.raises(InputError, match="no gradebook.sqlite here"):
        api.manual_import(sheet, tmp_path / "nowhere", course=course)
    assert not (tmp_path / "nowhere").exists()


def test_cli_manual_commands_translate_into_one_api_call(monkeypatch, tmp_path):
    calls = []

    @functools.wraps(api.manual_export)
    def fake_export(*args, **kwargs):
        calls.append(("export", args, kwargs))
        return [tmp_path / "essay.html", tmp_path / "tiny-manual.csv"]

    @functools.wraps(api.manual_import)
    def fake_import(*args, **kwargs):
        calls.append(("import", args, kwargs))
        return []

    monkeypatch.setattr(api, "manual_export", fake_export)
    monkeypatch.setattr(api, "manual_import", fake_import)
    assert cli.main(["manual", "export", "results", "-a", "tiny"]) == 0
    assert cli.main(["manual", "import", "sheet.csv", "results"]) == 0
    assert calls == [
        ("export", (Path("results"), "tiny"), {"course": None}),
        ("import", (Path("sheet.csv"), Path("results"), None), {"course": None}),
    ]
    for command in (["manual", "export", "--help"], ["manual", "import", "--help"]):
        with pytest.raises(SystemExit) as done:
            cli.main(command)
        assert done.value.code == 0


def test_the_page_shows_a_students_answer_and_names_as_inert_text():
    from grader.manual.pages import Answer, Item, render_item_page
    from tests.reports.test_injection import PAYLOAD, STUDENT, TEMPLATE_SYNTAX, assert_inert

    answers = [
        Answer(STUDENT, [(0, "markdown", PAYLOAD + TEMPLATE_SYNTAX), (1, "code", "</code></pre>" + PAYLOAD)], points=1, comment=PAYLOAD),
        Answer(STUDENT + "2", problem=PAYLOAD + "'\""),
    ]
    item = Item("review" + PAYLOAD, "Review " + PAYLOAD, 2, "Explain. " + PAYLOAD, "ex5" + PAYLOAD)
    page = render_item_page(item, answers, "PW06 " + PAYLOAD, "sheet" + PAYLOAD + ".csv")
    assert_inert(page)
    assert page.count('<section class="answer"') == 2 and "&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;" in page


def test_checks_awaiting_review_are_settled_through_the_sheet(tmp_path):
    """A no-os rule over code that picks its module at run time is undecidable: the TA decides it, once."""
    course = make_tiny_course(tmp_path)
    reflective = ("import importlib\npaths = importlib.import_module('o' + 's').path\ndef double(x):\n    return 2 * x", ["ex1"])
    write_notebook(tmp_path / "subs" / "rex.ipynb", [reflective, GOOD_CELLS[1]])
    write_notebook(tmp_path / "subs" / "amy.ipynb", GOOD_CELLS)
    results_dir = tmp_path / "results"
    graded = {r.student: r for r in api.grade(tmp_path / "subs", "tiny", results_dir, course=course, jobs=2, progress=False).results}
    assert next(c for c in graded["rex"].checks if c.check_id == "no-os").status == CheckStatus.review
    assert graded["rex"].pending_points == 4 and graded["amy"].pending_points == 3  # the essay, and rex's no-os

    *pages, sheet = api.manual_export(results_dir, "tiny", course=course)
    assert [page.name for page in pages] == ["essay.html", "no-os.html"]
    review_page = pages[1].read_text()
    assert "importlib.import_module(&#39;o&#39; + &#39;s&#39;)" in review_page and "could not decide" in review_page
    rows = [(r["student"], r["check_id"]) for r in csv.DictReader(io.StringIO(sheet.read_text()))]
    assert rows == [("amy", "essay"), ("rex", "essay"), ("rex", "no-os")]  # only rex's check awaits review

    # amy's no-os was decided by the grader: a row for it (typed in by hand) settles nothing.
    filled = fill(sheet, {("rex", "no-os"): ("0", "Uses os after all.")})
    filled.write_text(filled.read_text() + "amy,no-os,1,0,x\n")
    changed = {r.student: r for r in api.manual_import(filled, results_dir, course=course)}
    assert sorted(changed) == ["rex"]
    decided = next(c for c in changed["rex"].checks if c.check_id == "no-os")
    assert (decided.status, decided.points_awarded, decided.reason) == (CheckStatus.failed, 0, "Uses os after all.")
    assert changed["rex"].pending_points == 3  # only the essay is left
    with Gradebook(results_dir / "gradebook.sqlite") as book:
        amy = book.get("tiny", "amy")
    assert next(c for c in amy.checks if c.check_id == "no-os").status == CheckStatus.passed
