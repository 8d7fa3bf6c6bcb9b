"""What the pipeline decides for each way a sandbox can end; FakeSandbox beside the real runs in sandbox/ and test_api."""

from __future__ import annotations

from grader.pipeline import Submission, grade_submission
from grader.results import CheckStatus, RunStatus
from grader.sandbox.fake import FakeSandbox
from tests.conftest import GOOD_CELLS, tiny_reference, write_notebook


def grade_with(tmp_path, tiny, sandbox):
    path = write_notebook(tmp_path / "s.ipynb", GOOD_CELLS)
    return grade_submission(Submission("s", path), tiny, sandbox, reference=tiny_reference(tiny))[0]


def test_timeout_outcome_names_the_limit_and_zeroes_missing_probes(tmp_path, tiny):
    result = grade_with(tmp_path, tiny, FakeSandbox(status="timeout", run={"finished": False}))
    assert result.run.status == RunStatus.timeout and "wall-clock limit" in result.run.reason
    greeting = next(c for c in result.checks if c.check_id == "greeting")
    assert greeting.status == CheckStatus.error and "wall-clock limit" in greeting.reason and greeting.points_awarded == 0


def test_probe_data_nan_earns_zero(tmp_path, tiny):
    sandbox = FakeSandbox(probes={"double": {"ok": True, "values": {"out": [float("nan")] * 5}}, "greeting": {"ok": True, "values": {"text": "hello"}}})
    result = grade_with(tmp_path, tiny, sandbox)
    double = next(c for c in result.checks if c.check_id == "double-values")
    assert double.status == CheckStatus.error and "NaN" in double.reason


def test_runner_account_is_informative_only(tmp_path, tiny):
    """A kernel claiming success in run.json earns nothing without probe data the grader accepts."""
    forged = {"finished": True, "cells": [{"index": 0, "status": "ok"}], "timings": {"total": 0.1}}
    result = grade_with(tmp_path, tiny, FakeSandbox(run=forged, probes={"greeting": {"ok": True, "values": {"text": "hello"}, "score": 100}}))
    assert result.score == 1  # only the static check; the forged probe record is rejected as malformed
    greeting = next(c for c in result.checks if c.check_id == "greeting")
    assert "rejected" in greeting.reason


class BrokenSandbox(FakeSandbox):
    def run(self, job_dir, limits, wall_limit):
        raise ConnectionError("engine went away")


def test_a_sandbox_failure_is_a_result_not_a_dead_batch(tmp_path, tiny):
    result = grade_with(tmp_path, tiny, BrokenSandbox())
    assert not result.graded and "engine went away" in result.error
    assert result.notebook_sha256 is None  # the grader's fault, not the file's: a re-run grades it again
    assert all(c.points_awarded == 0 for c in result.checks)


def test_a_judge_bug_is_a_check_error(tmp_path, tiny):
    tiny.staff.says_hello = lambda evidence, check: evidence.missing_attribute  # a staff bug
    result = grade_with(tmp_path, tiny, FakeSandbox(probes={"greeting": {"ok": True, "values": {"text": "hello"}}}))
    greeting = next(c for c in result.checks if c.check_id == "greeting")
    assert greeting.status == CheckStatus.error and "the grader itself failed" in greeting.reason
