"""What a student's report must never show: raw TensorFlow errors as a reason, the TA's answer key, optional
work listed as lost (issue 12, item 7)."""

from __future__ import annotations

import pytest

from grader.checks import ManualCheck, TestCheck
from grader.checks.base import Evidence, ProbeData, import_tensorflow
from grader.reports import render_html, render_markdown
from grader.reports.terminal import render_table
from grader.reports.text import feedback_summary
from grader.results import CheckStatus
from tests.conftest import by_id, grade_cells, make_tiny_course
from tests.reports.samples import check, result

RAW_MARKS = ("{{function_node", "[Op:", "{{node", "Traceback")


@pytest.fixture(scope="module")
def matmul_error():
    """A real InvalidArgumentError from TensorFlow: what a student's wrongly shaped matmul raises."""
    tf = import_tensorflow()
    with pytest.raises(tf.errors.InvalidArgumentError) as raised:
        tf.matmul(tf.ones([200, 128]), tf.ones([64, 128]))
    return raised.value


def evidence_with(probes: dict, staff=None) -> Evidence:
    cells = [(0, [], "import tensorflow as tf"), (3, ["ex3"], "def encoder(x, weights, biases): ...")]
    return Evidence(probes=probes, held={}, inputs={}, reference=None, code_cells=cells, cells=[], staff=staff)


def test_a_probe_that_hit_a_tensorflow_error_is_explained_in_words_naming_the_check_and_cell(matmul_error):
    # The probe runtime writes "<class>: <message>" for an exception raised by the student's code.
    raw = f"{type(matmul_error).__name__}: {matmul_error}"
    assert "[Op:MatMul]" in raw  # the raw text really carries TensorFlow's internals

    class Staff:
        @staticmethod
        def anything(evidence, check):
            raise AssertionError("never reached: the probe failed")

    deep = TestCheck(id="ex3-reconstruction-deep", title="Deep reconstruction", points=5, exercise="ex3", function="anything", probes=["recon_deep"])
    verdict = deep.judge(evidence_with({"recon_deep": ProbeData("recon_deep", error=raw)}, staff=Staff))
    assert verdict.status == CheckStatus.error and verdict.points_awarded == 0
    assert not any(mark in verdict.reason for mark in RAW_MARKS), verdict.reason
    assert "shapes or types do not fit together" in verdict.reason
    assert "ex3-reconstruction-deep" in verdict.reason and "cell 4 (ex3)" in verdict.reason


def test_a_tensorflow_error_raised_on_the_host_is_the_students_not_the_graders(matmul_error):
    class Staff:
        @staticmethod
        def forward(evidence, check):
            raise matmul_error  # e.g. the grader's forward pass through the student's own weights

    forward = TestCheck(id="ex3-forward", title="Forward pass", points=2, exercise="ex3", function="forward")
    verdict = forward.judge(evidence_with({}, staff=Staff))
    assert "grader itself failed" not in verdict.reason and "InvalidArgumentError" in verdict.reason
    assert not any(mark in verdict.reason for mark in RAW_MARKS), verdict.reason


def test_a_shape_error_quoted_by_a_judge_is_rewritten():
    class Staff:
        @staticmethod
        def graph(evidence, check):
            raise AssertionError(
                "Calling f(4) in a new graph failed: ValueError: Dimensions must be equal, but are 784 and 100 for "
                "'{{node MatMul}} = MatMul[T=DT_FLOAT, transpose_a=false, transpose_b=false](Placeholder, W/read)' with input shapes: [1,784], [100,784]."
            )

    verdict = TestCheck(id="t-graph", title="Graph", points=2, exercise="ex3", function="graph").judge(evidence_with({}, staff=Staff))
    assert verdict.reason.startswith("Calling f(4) in a new graph failed: TensorFlow found shapes that do not fit together")
    assert "{{node" not in verdict.reason and "t-graph" in verdict.reason


def test_an_ordinary_python_error_keeps_its_words():
    class Staff:
        @staticmethod
        def values(evidence, check):
            raise ValueError("could not broadcast (3,) into (4,)")

    verdict = TestCheck(id="t-values", title="Values", points=2, function="values").judge(evidence_with({}, staff=Staff))
    assert "ValueError: could not broadcast (3,) into (4,)" in verdict.reason


def test_the_tas_answer_key_never_reaches_a_student_report():
    key = "Gradient distributor/switch/router gates; 4 advantages"
    keyed = ManualCheck(id="ex5-review", title="Ex 5: review questions", points=5, prompt=key)
    asked = ManualCheck(id="ex6-essay", title="Ex 6: essay", points=3, prompt=key, student_prompt="Name the gates and explain each in a sentence.")
    verdicts = [item.judge(evidence_with({})) for item in (keyed, asked)]
    assert [v.status for v in verdicts] == [CheckStatus.pending, CheckStatus.pending]
    assert verdicts[0].reason == "A TA grades this by hand (5 points)."
    assert verdicts[1].reason == "A TA grades this by hand (3 points): Name the gates and explain each in a sentence."
    report = result("student", verdicts)
    for text in (render_markdown(report, "T"), render_html(report, "T"), feedback_summary(report)):
        assert "router gates" not in text


def test_the_tas_pages_still_carry_the_answer_key(tmp_path):
    from grader.manual.pages import Item, render_item_page

    page = render_item_page(Item("ex5-review", "Review", 5, "Gradient distributor/switch/router gates", "ex5"), [], "T", "sheet.csv")
    assert "router gates" in page


def test_untried_bonus_work_is_not_listed_as_lost():
    bonus = check("ex3-bonus", "Ex 3 (optional bonus): lr_schedule", 2, 0, CheckStatus.error, "Not evaluated: your notebook defines no lr_schedule.")
    bonus = bonus.model_copy(update={"bonus": True})
    wrong = check("ex1-forward", "Ex 1: forward pass", 5, 0, CheckStatus.failed, "y_hat does not match.")
    report = result("student", [wrong, bonus])
    assert "lost: ex1-forward" in render_table([report]) and "ex3-bonus" not in render_table([report])
    assert "lr_schedule" not in feedback_summary(report) and "forward pass" in feedback_summary(report)
    assert "optional, not earned" in render_markdown(report, "T") and "| failed |" in render_markdown(report, "T")


def test_end_to_end_a_kernel_tensorflow_error_reaches_the_report_as_a_sentence(tmp_path):
    from grader.rubric import load_assignment
    from grader.sandbox.local import LocalSandbox

    course = make_tiny_course(tmp_path / "tf")
    rubric = course / "rubrics" / "tiny.yaml"
    rubric.write_text(rubric.read_text().replace("cell: 4,", "cell: 60,"))  # importing TensorFlow takes CPU seconds
    tiny, local_sandbox = load_assignment("tiny", course), LocalSandbox(hide=[course / "rubrics", course / "reference"])
    cells = [
        ("import tensorflow as tf\n\ndef double(x):\n    return float(tf.matmul(tf.ones([2, 3]), tf.ones([2, 3]))[0, 0])", ["ex1"]),
        ("def greeting():\n    return 'Hello!'", ["ex2"]),
    ]
    graded = grade_cells(tmp_path, tiny, local_sandbox, cells)
    double = by_id(graded)["double-values"]
    assert double.status == CheckStatus.error and "InvalidArgumentError" in double.reason
    assert not any(mark in double.reason for mark in RAW_MARKS), double.reason
    assert "double-values" in double.reason and "cell 1 (ex1)" in double.reason
    assert by_id(graded)["greeting"].status == CheckStatus.passed
