"""Hostile notebooks against each sandbox backend: every attack ends as a recorded result.

The notebooks are tests/notebooks/adversarial/*.ipynb (written by make.py there), graded with the
tiny rubric. Expected: what could not run earns 0 with a reason; the grader survives; nothing of the
job outlives it (no process of a sandbox uid, no container).
"""

from __future__ import annotations

import ast

import pytest

from grader.pipeline import Submission, grade_submission
from grader.results import CellStatus, CheckStatus, RunStatus
from tests.conftest import NOTEBOOKS, sandbox_processes, tiny_reference

PASSED, ERROR = CheckStatus.passed, CheckStatus.error

# name: (run status or None for "any", double-values, greeting, what greeting's probe must report)
EXPECTED = {
    "infinite_loop": (RunStatus.completed, PASSED, PASSED, None),
    "sleep_forever": (RunStatus.completed, PASSED, PASSED, None),
    "fork_bomb": (None, PASSED, PASSED, None),
    "memory_bomb": (RunStatus.oom, ERROR, ERROR, None),
    # Memory no process maps (a written memfd): only a cgroup counts it; over the limit it is an OOM.
    "memfd_bomb": (RunStatus.oom, ERROR, ERROR, None),
    "fill_disk": (RunStatus.completed, PASSED, PASSED, ["OSError", "OSError"]),
    "print_flood": (RunStatus.completed, PASSED, PASSED, None),
    "network_connect": (RunStatus.completed, PASSED, PASSED, ["no network", "no network"]),
    "read_host_files": (RunStatus.completed, PASSED, PASSED, ["refused", "refused", "refused"]),
    "symlink_artifact": (None, ERROR, PASSED, None),
    "os_exit_before_probes": (RunStatus.completed, ERROR, ERROR, None),
    "kill_kernel": (RunStatus.completed, ERROR, ERROR, None),
    "sigint_ignored": (RunStatus.completed, ERROR, PASSED, None),
}


def leftovers(sandbox) -> list:
    if sandbox.name == "docker":
        from grader.sandbox.docker import LABEL

        # Only this sandbox's own containers: other test sessions may be grading at the same time.
        return [c for c in sandbox.client.containers.list(all=True, filters={"label": LABEL}) if c.name in sandbox.names_used]
    return sandbox_processes(sandbox)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_adversarial_notebook(name, backend, tiny):
    run_status, double_status, greeting_status, reported = EXPECTED[name]
    path = NOTEBOOKS / "adversarial" / f"{name}.ipynb"
    result, data = grade_submission(Submission(name, path), tiny, backend, reference=tiny_reference(tiny))
    checks = {check.check_id: check for check in result.checks}
    assert result.run is not None, result.error
    if run_status is not None:
        assert result.run.status == run_status, result.run
    assert checks["double-values"].status == double_status, checks["double-values"].reason
    assert checks["greeting"].status == greeting_status, checks["greeting"].reason
    for check in result.checks:
        if check.status == ERROR:
            assert check.points_awarded == 0 and check.reason.startswith("Not evaluated:")
    if reported is not None:
        text = data["greeting"].values["text"]
        assert ast.literal_eval(text.removeprefix("hello ")) == reported
    assert leftovers(backend) == []


def test_named_failures(backend, tiny):
    """The reasons name what happened, in words a student can act on."""

    def grade(name):
        path = NOTEBOOKS / "adversarial" / f"{name}.ipynb"
        return grade_submission(Submission(name, path), tiny, backend, reference=tiny_reference(tiny))[0]

    for bomb in ("memory_bomb", "memfd_bomb"):
        memory = grade(bomb)
        assert "1024 MB of memory" in next(c for c in memory.checks if c.check_id == "greeting").reason
    symlink = grade("symlink_artifact")
    assert "not a regular file" in next(c for c in symlink.checks if c.check_id == "double-values").reason
    loop = grade("infinite_loop")
    assert loop.run.cells[1].status == CellStatus.timeout
