"""Reports are inert: what a student controls renders as text in Markdown and HTML, and stays small.

The fixture is written as an attacker would: a failing cell whose own ``` line would close a 3-backtick
fence, followed by raw HTML and a fake "Score: 100/100" heading, then one 8 MB line; the same tricks in
the error message, a cell tag, a check reason and the student id. The Markdown is rendered with a real
CommonMark parser (markdown-it-py, tables on as in GitHub/GitLab), so the test sees what a reader sees.
"""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from grader.checks.base import REASON_CHARS
from grader.reports import render_check, render_html, render_markdown, render_table, write_student_reports
from grader.reports.cells import EXCERPT_CHARS, LINE_CHARS, failing_cell
from grader.results import CellRecord, CellStatus, CheckStatus, RunRecord, RunStatus
from tests.conftest import GOOD_CELLS, grade_cells
from tests.reports.samples import check, result

PAYLOAD = '<script>alert(1)</script><img src=x onerror="alert(2)">'
FAKE_HEADING = "# Score: 100/100"
STUDENT = "mallory<img src=x onerror=alert(5)>"  # a file name: anything but "/"
HUGE_LINE = "x = '" + "A" * (8 * 1024 * 1024) + "'"
SOURCE = "\n".join(["def forward(x):", "```", "</code></pre>" + PAYLOAD, FAKE_HEADING, "~~~", HUGE_LINE, "raise ValueError('boom')"])


def hostile_result():
    tags = ["ex1", "```" + PAYLOAD]
    error = f"ValueError: boom\n```\n{FAKE_HEADING}\n{PAYLOAD}\n- [click](javascript:alert(3))"
    run = RunRecord(status=RunStatus.completed, sandbox="local", cells=[CellRecord(index=0, tags=tags, status=CellStatus.error, error=error)])
    checks = [
        check("ex1-forward", "Ex 1: forward pass", 5, 0, CheckStatus.failed, f"forward() returned {PAYLOAD} | {FAKE_HEADING} | [click](javascript:alert(4))\n\n{FAKE_HEADING}"),
    ]
    hostile = result(STUDENT, checks, run=run)
    return hostile.model_copy(update={"failing_cell": failing_cell(run, [(0, tags, SOURCE)])})


class Tags(HTMLParser):
    """Every element a browser would build from a page, with its attributes."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def text_of(page: str) -> str:
    return re.sub(r"<[^>]+>", "", page)


def test_the_failing_cell_excerpt_is_capped_per_line_and_in_total():
    excerpt = hostile_result().failing_cell
    assert len(excerpt.source) <= EXCERPT_CHARS
    assert all(len(line) <= LINE_CHARS + 40 for line in excerpt.source.splitlines())
    assert f"… ({len(HUGE_LINE) - LINE_CHARS} more characters)" in excerpt.source  # the cut is marked
    assert "raise ValueError('boom')" in excerpt.source and excerpt.hidden_lines == 0


def test_markdown_report_renders_as_inert_text():
    hostile = hostile_result()
    markdown = render_markdown(hostile, "PW06")
    assert len(markdown) < 20_000
    page = MarkdownIt("commonmark").enable("table").render(markdown)
    elements = [tag for tag, _ in Tags(page).found]
    assert not {"script", "img", "a", "h3", "h4", "h5", "h6"} & set(elements), elements
    assert elements.count("h1") == 1 and elements.count("pre") == 1 and elements.count("table") == 1
    headings = re.findall(r"<h[12]>(.*?)</h[12]>", page)
    assert headings == ["PW06", "How your notebook ran", "Where your notebook went wrong", "Checks"]
    code = re.search(r"<pre><code[^>]*>(.*?)</code></pre>", page, re.S).group(1)
    for line in ("```", "&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;", FAKE_HEADING, "~~~", "raise ValueError("):
        assert line in code  # the student's whole excerpt stays inside the one code block
    shown = text_of(page)
    assert STUDENT in shown.replace("&lt;", "<").replace("&gt;", ">")
    assert "[click](javascript:alert(4))" in shown and "Score: 100/100" in shown


def test_html_report_renders_as_inert_text(tmp_path):
    hostile = hostile_result()
    page = render_html(hostile, "PW06")
    assert len(page) < 30_000
    elements = Tags(page).found
    assert not {"script", "img", "a", "iframe"} & {tag for tag, _ in elements}
    assert not any(name.startswith("on") for _, attributes in elements for name in attributes)
    assert [tag for tag, _ in elements].count("h1") == 1 and "Score: 100/100" not in re.findall(r"<h\d>(.*?)</h\d>", page)
    written = write_student_reports(hostile, tmp_path, "PW06")
    assert all(path.stat().st_size < 40_000 for path in tmp_path.iterdir()), "one 8 MB line must not make every report 8 MB"
    assert written.exists()


def test_a_reason_quoting_a_huge_student_value_is_capped(tmp_path, tiny, local_sandbox):
    # A real kernel returns half a megabyte from greeting(); the judge quotes it in its reason.
    result = grade_cells(tmp_path, tiny, local_sandbox, [GOOD_CELLS[0], ("def greeting():\n    return 'bye' + 'A' * 500_000", ["ex2"])])
    greeting = next(c for c in result.checks if c.check_id == "greeting")
    assert greeting.status == CheckStatus.failed and greeting.reason.startswith("greeting() returned 'byeAAA")
    assert len(greeting.reason) < REASON_CHARS + 100 and "more characters)" in greeting.reason
    assert len(render_markdown(result, "Tiny")) < 10_000 and len(render_html(result, "Tiny")) < 15_000


@pytest.mark.parametrize("unit", ["A", "x.", "Error"])
def test_rewriting_raw_errors_in_a_huge_reason_takes_no_time(unit):
    """The raw-error pattern backtracks over long word runs: run on a whole 500 KB reason it held the grader
    for 8 minutes. In a child process with a generous limit, so a regression fails instead of hanging CI."""
    value = unit * (4_000_000 // len(unit))
    script = f"from grader.checks.base import plain_reason\nprint(len(plain_reason('greeting() returned ' + {unit!r} * {len(value) // len(unit)}, 'cell 3')))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]
    assert int(done.stdout) == len("greeting() returned ") + len(value)


def test_a_huge_error_message_is_shortened_in_no_time():
    from grader.reports.text import essential_error

    script = "from grader.reports.text import essential_error\nprint(essential_error(' ' * 4_000_000 + 'ValueError: x [[{{node a}}]] [Op:MatMul]'))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ValueError: x", done.stderr[-500:]
    assert essential_error("InvalidArgumentError: bad shapes [[{{node MatMul}}]] [Op:MatMul] name: dense") == "InvalidArgumentError: bad shapes"


def test_terminal_output_carries_no_escape_sequences():
    hostile = hostile_result().model_copy(update={"student": "eve\x1b]0;pwned\x07", "graded": False, "error": "bad\x1b[2J\x1b[8m hidden"})
    table = render_table([hostile])
    assert "\x1b" not in table and "\x07" not in table and "eve?]0;pwned?" in table
    assert "\x1b" not in render_check(hostile_result().model_copy(update={"checks": [check("c", "C", 1, 0, CheckStatus.failed, "x\x1b[2Jy")]}))


# Every HTML page the grader writes goes through an autoescaped template; a student's text in any of them
# is text. Template syntax in that text is text too: it is data to Jinja, never a template.
TEMPLATE_SYNTAX = "{{ 7 * 7 }} {% raw %} {# x #}"


def assert_inert(page: str, allowed: set[str] = frozenset()) -> list[tuple[str, dict]]:
    elements = Tags(page).found
    assert not ({"script", "img", "a", "iframe"} - allowed) & {tag for tag, _ in elements}
    assert not any(name.startswith("on") for _, attributes in elements for name in attributes)
    assert "{{ 7 * 7 }}" in page and "49" not in page.replace("{{ 7 * 7 }}", "")
    return elements


def test_dashboard_renders_student_text_as_inert_text():
    from grader.lms.roster import Roster, RosterEntry
    from grader.reports import render_dashboard

    hostile = hostile_result()
    broken = hostile.model_copy(update={"student": STUDENT + "2", "graded": False, "error": PAYLOAD + TEMPLATE_SYNTAX})
    roster = Roster(lms="moodle", source="x.zip", students={STUDENT: RosterEntry(student=STUDENT, name=PAYLOAD + "'\"")})
    page = render_dashboard([hostile, broken], "PW06 " + PAYLOAD, roster)
    elements = assert_inert(page, allowed={"script", "a"})
    assert [tag for tag, _ in elements].count("script") == 1  # the dashboard's own filter, and only it
    links = [attributes["href"] for tag, attributes in elements if tag == "a"]
    assert links and all(link.endswith(".html") and ":" not in link and "<" not in link for link in links)


def test_self_check_fragment_renders_student_text_as_inert_text():
    from grader.reports.selfcheck import render_exercise_html
    from grader.results import ExerciseCheck

    hostile = hostile_result()
    outcome = ExerciseCheck(assignment_id="pw06", exercise="ex1" + PAYLOAD, checks=hostile.checks, notes=[PAYLOAD + TEMPLATE_SYNTAX])
    fragment = render_exercise_html(outcome)
    assert_inert(fragment)
    assert fragment.startswith('<div class="grader-selfcheck">') and fragment.endswith("</div>")
