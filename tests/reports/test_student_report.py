"""The student's report: self-contained HTML and Markdown, the failing cell trimmed to what matters, figures inline."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from grader.reports import render_html, render_markdown, write_student_reports
from grader.reports.cells import failing_cell
from grader.reports.text import essential_error
from grader.results import CellRecord, CellStatus, RunRecord, RunStatus
from tests.reports.golden import assert_golden
from tests.reports.samples import sample_results

GOLDEN = Path(__file__).parent / "golden"
TITLE = "PW06 - an MLP in TensorFlow 2"


def test_html_report_matches_golden():
    for result in sample_results():
        assert_golden(render_html(result, TITLE), GOLDEN / f"{result.student}.html")


def test_markdown_report_matches_golden():
    for result in sample_results():
        assert_golden(render_markdown(result, TITLE), GOLDEN / f"{result.student}.md")


def test_report_loads_nothing_from_outside_and_fits_a_phone():
    for result in sample_results():
        page = render_html(result, TITLE)
        assert not re.search(r'(src|href)="(?!data:|#)', page), "every asset must be inline"
        assert "<link" not in page and "@import" not in page
        assert 'name="viewport" content="width=device-width' in page
        assert "@media (max-width:40rem)" in page


def test_figures_are_embedded_as_images_and_svg_cannot_run_script():
    alice = sample_results()[0]
    page = render_html(alice, TITLE)
    assert 'src="data:image/png;base64,' + alice.checks[0].figures[0].png_base64 in page
    svg_source = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(svg_source).decode() == alice.checks[0].figures[1].svg  # loaded as an <img>: its script never runs
    assert "<script" not in page, "the SVG's script must not reach the page as markup"
    assert "Top: yours; bottom: the reference&#39;s." in page


def test_failing_cell_shows_source_and_only_the_essential_error():
    bob = sample_results()[1]
    page = render_html(bob, TITLE)
    assert "Where your notebook went wrong" in page and "Cell 3 (ex3)" in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page  # the student's source is text, never markup
    assert "# … 12 more lines" in page
    assert "Matrix size-incompatible: In[0]: [32,784], In[1]: [100,10]" in page
    assert "{{node" not in page and "most recent call last" not in page and "__inference" not in page
    assert "Submitted 2 days late: 0.5 points taken off by the late policy." in page


def test_pending_and_ungraded_are_explained():
    alice, _, _, dave = sample_results()
    assert "5 points still to be graded by a TA" in render_html(alice, TITLE)
    assert "Your notebook could not be graded: pw06-mlp.ipynb: not a notebook" in render_html(dave, TITLE)


def test_write_student_reports_writes_json_markdown_html(tmp_path):
    bob = sample_results()[1]
    html_path = write_student_reports(bob, tmp_path / "pw06-mlp", TITLE)
    assert html_path == tmp_path / "pw06-mlp" / "smithbob-2345.html"
    assert sorted(p.name for p in html_path.parent.iterdir()) == ["smithbob-2345.html", "smithbob-2345.json", "smithbob-2345.md"]
    assert '"failing_cell"' in (html_path.parent / "smithbob-2345.json").read_text()


def test_essential_error_keeps_the_message_and_drops_tensorflow_noise():
    assert essential_error("\x1b[0;31mValueError\x1b[0m: shapes (2,3) and (4,5) not aligned") == "ValueError: shapes (2,3) and (4,5) not aligned"
    wrapped = "InvalidArgumentError: {{function_node __wrapped__MatMul_device_/job:localhost/replica:0/task:0/device:CPU:0}} Matrix size-incompatible: In[0]: [2,3], In[1]: [4,5] [Op:MatMul] name: "
    assert essential_error(wrapped) == "InvalidArgumentError: Matrix size-incompatible: In[0]: [2,3], In[1]: [4,5]"
    assert len(essential_error("E: " + "x" * 1000)) == 240
    assert essential_error(None) == ""


def test_failing_cell_is_the_first_cell_that_did_not_run_cleanly():
    run = RunRecord(
        status=RunStatus.completed,
        sandbox="local",
        cells=[
            CellRecord(index=0, status=CellStatus.ok),
            CellRecord(index=1, status=CellStatus.skipped),
            CellRecord(index=3, tags=["ex2"], status=CellStatus.error, error="NameError: name 'x' is not defined"),
        ],
    )
    code = [(0, [], "a = 1"), (1, [], "b = 2"), (3, ["ex2"], "\n".join(f"line{i}" for i in range(20)))]
    excerpt = failing_cell(run, code, lines=15)
    assert (excerpt.index, excerpt.tags, excerpt.hidden_lines, excerpt.error) == (3, ["ex2"], 5, "NameError: name 'x' is not defined")
    assert excerpt.source.splitlines() == [f"line{i}" for i in range(15)]
    assert failing_cell(RunRecord(status=RunStatus.completed, sandbox="local", cells=[CellRecord(index=0, status=CellStatus.ok)]), code) is None
    assert failing_cell(None, code) is None


def test_lateness_reads_in_tenths_of_a_day():
    from grader.reports.text import late_note

    base = sample_results()[0]
    assert late_note(base.model_copy(update={"days_late": 0.3965})) == "Submitted 0.4 days late."
    assert late_note(base.model_copy(update={"days_late": 0.001})) == "Submitted 0.1 days late."
    assert late_note(base.model_copy(update={"days_late": 1.0, "late_penalty": 2.0})) == "Submitted 1 day late: 2 points taken off by the late policy."
