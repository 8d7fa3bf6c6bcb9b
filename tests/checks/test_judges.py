"""metric, compare, test and manual checks judge plain data on the host; NaN and missing data earn 0."""

from __future__ import annotations

import types

import numpy as np
import pytest

from grader.checks import CompareCheck, ManualCheck, MetricCheck, TestCheck
from grader.checks.base import CheckNotRun, Evidence, ProbeData
from grader.results import CellRecord, CellStatus, CheckStatus


def evidence(probes=None, held=None, inputs=None, reference=None, staff=None, cells=None):
    return Evidence(
        probes={name: data if isinstance(data, ProbeData) else ProbeData(name, values=data) for name, data in (probes or {}).items()},
        held=held or {},
        inputs=inputs or {},
        reference=reference,
        code_cells=[],
        cells=cells or [],
        staff=staff,
    )


ERROR_RATE = MetricCheck(id="err", title="Error rate", points=15, probe="pred", field="scores", metric="error_rate", labels="labels", max=0.12, exercise="ex3")
LABELS = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9] * 10)


def one_hot_scores(predicted):
    return np.eye(10)[predicted]


def test_metric_passes_inside_bound_and_better_is_never_worse():
    for wrong in (0, 5, 12):  # 0 %, 5 %, 12 %: all fine, lower is better
        predicted = LABELS.copy()
        predicted[:wrong] = (predicted[:wrong] + 1) % 10
        result = ERROR_RATE.judge(evidence({"pred": {"scores": one_hot_scores(predicted)}}, held={"pred": {"labels": LABELS}}))
        assert result.status == CheckStatus.passed, result.reason
        assert result.measured["error_rate"] == pytest.approx(wrong / 100)


def test_metric_fails_above_bound_with_measured_value_in_reason():
    predicted = LABELS.copy()
    predicted[:20] = (predicted[:20] + 1) % 10
    result = ERROR_RATE.judge(evidence({"pred": {"scores": one_hot_scores(predicted)}}, held={"pred": {"labels": LABELS}}))
    assert result.status == CheckStatus.failed and result.points_awarded == 0
    assert "20.00%" in result.reason and "at most 12.00%" in result.reason


def test_metric_nan_earns_zero_with_reason():
    scores = one_hot_scores(LABELS)
    scores[3, 0] = np.nan
    result = ERROR_RATE.judge(evidence({"pred": {"scores": scores}}, held={"pred": {"labels": LABELS}}))
    assert result.status == CheckStatus.error and "NaN" in result.reason


def test_metric_wrong_row_count_is_not_run():
    result = ERROR_RATE.judge(evidence({"pred": {"scores": one_hot_scores(LABELS[:50])}}, held={"pred": {"labels": LABELS}}))
    assert result.status == CheckStatus.error and "50 predictions for 100 inputs" in result.reason


def test_probe_failure_names_the_failing_cell():
    cells = [CellRecord(index=4, tags=["ex3"], status=CellStatus.error, error="NameError: name 'W' is not defined")]
    result = ERROR_RATE.judge(evidence({"pred": ProbeData("pred", error="KeyError: 'params'")}, held={"pred": {"labels": LABELS}}, cells=cells))
    assert result.status == CheckStatus.error
    assert "KeyError: 'params'" in result.reason and "cell 5 (ex3) raised NameError" in result.reason


def test_compare_formula_partial_credit_and_the_worst_case_shown():
    staff = types.SimpleNamespace(twice=lambda inputs, held: inputs["x"] * 2)
    check = CompareCheck(id="c", title="Twice", points=10, partial=True, probe="p", field="out", expected="formula", formula="twice")
    x = np.arange(4.0)
    result = check.judge(evidence({"p": {"out": np.array([0.0, 2.0, 4.0, 7.0])}}, inputs={"p": {"x": x}}, staff=staff))
    assert result.status == CheckStatus.partial and result.points_awarded == 7.5
    assert "3 of 4" in result.reason and "on input 4 you returned [7.]" in result.reason


def test_compare_with_reference_and_shape_mismatch():
    check = CompareCheck(id="c", title="Same as reference", points=2, probe="p", field="out", expected="reference")
    reference = {"p": ProbeData("p", values={"out": np.ones((3, 2))})}
    same = check.judge(evidence({"p": {"out": np.ones((3, 2))}}, reference=reference))
    other = check.judge(evidence({"p": {"out": np.ones((2, 3))}}, reference=reference))
    assert same.status == CheckStatus.passed
    assert other.status == CheckStatus.error and "shape (2, 3)" in other.reason
    per_input = check.judge(evidence({"p": {"out": np.ones((3, 4))}}, reference=reference))
    assert per_input.reason == "Not evaluated: On each of the 3 grader-chosen inputs your out has shape (4,); shape (2,) was expected."


def test_compare_shows_the_worst_case_on_one_line():
    check = CompareCheck(id="c", title="Same as reference", points=2, probe="p", field="out", expected="reference")
    reference = {"p": ProbeData("p", values={"out": np.linspace(0.001, 1.0, 40).reshape(2, 20)})}
    result = check.judge(evidence({"p": {"out": np.zeros((2, 20))}}, reference=reference))
    assert result.status == CheckStatus.failed and "\n" not in result.reason


def test_test_kind_uses_assertion_message_and_partial_fraction():
    def judge(evidence, check):
        value = evidence.value("p", "v", check)
        assert value > 0, f"v must be positive, got {value}"
        return 0.5 if value < 10 else None

    staff = types.SimpleNamespace(judge=judge)
    check = TestCheck(id="t", title="Positive", points=4, partial=True, function="judge", probes=["p"])
    assert check.judge(evidence({"p": {"v": -1}}, staff=staff)).reason == "v must be positive, got -1"
    assert check.judge(evidence({"p": {"v": 3}}, staff=staff)).points_awarded == 2
    assert check.judge(evidence({"p": {"v": 30}}, staff=staff)).status == CheckStatus.passed
    assert check.judge(evidence({"p": {"v": "text"}}, staff=staff)).status == CheckStatus.error


def test_manual_is_pending_and_worth_nothing_yet():
    result = ManualCheck(id="m", title="Essay", points=5, prompt="Clear argument.").judge(evidence())
    assert result.status == CheckStatus.pending and result.points_awarded == 0 and "Clear argument." not in result.reason  # staff only


def test_hint_only_for_public_checks_that_did_not_pass():
    from grader.checks.base import Feedback

    public = ERROR_RATE.model_copy(update={"visibility": "public", "feedback": Feedback(hint="Train longer.")})
    hidden = ERROR_RATE.model_copy(update={"feedback": Feedback(hint="Train longer.")})
    bad = evidence({"pred": {"scores": one_hot_scores((LABELS + 1) % 10)}}, held={"pred": {"labels": LABELS}})
    assert public.judge(bad).hint == "Train longer."
    assert hidden.judge(bad).hint is None


def test_needs_reports_the_dependency_and_the_rubric_decides_the_points():
    from grader.checks.base import settle_dependencies

    staff = types.SimpleNamespace(fails=lambda evidence, check: False, passes=lambda evidence, check: True)
    depth = TestCheck(id="depth", title="Depth", points=4, function="fails")
    withheld = TestCheck(id="bottleneck", title="Bottleneck", points=4, function="fails", needs=["depth"])
    kept = TestCheck(id="recon", title="Reconstruction", points=5, function="fails", needs=["depth"], withhold=False)
    fine = TestCheck(id="own", title="Own", points=2, function="passes", needs=["depth"])
    checks = [withheld, kept, fine, depth]  # the needed check last: order never matters
    verdicts = {v.check_id: v for v in settle_dependencies(checks, [c.judge(evidence(staff=staff)) for c in checks])}
    assert verdicts["bottleneck"].points_awarded == 0 and verdicts["bottleneck"].reason.startswith("Depends on depth (Depth), which did not pass")
    assert verdicts["recon"].points_awarded == 5 and verdicts["recon"].status == CheckStatus.passed
    assert "already charges this mistake" in verdicts["recon"].reason
    assert verdicts["own"].status == CheckStatus.passed and "Depends" not in verdicts["own"].reason
    assert verdicts["depth"].points_awarded == 0
    missing = TestCheck(id="depth", title="Depth", points=4, function="not_written")  # could not run at all
    staff.not_written = lambda evidence, check: (_ for _ in ()).throw(CheckNotRun("depth is not defined"))
    checks = [kept, missing]
    verdicts = {v.check_id: v for v in settle_dependencies(checks, [c.judge(evidence(staff=staff)) for c in checks])}
    assert verdicts["depth"].status == CheckStatus.error and verdicts["recon"].points_awarded == 0


def test_a_rubric_cannot_need_a_check_it_does_not_have():
    from pydantic import ValidationError

    from grader.rubric.models import Rubric

    checks = [{"id": "a", "kind": "manual", "title": "A", "points": 1, "needs": ["b"]}]
    with pytest.raises(ValidationError, match="needs b, which is not another check"):
        Rubric(id="x", title="X", notebook="x.ipynb", checks=checks)
