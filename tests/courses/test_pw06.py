"""PW06 beyond the shared course table (test_courses.py): label tables and Keras layers judged, a cut loop, the grade command."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from grader.datasets import mnist
from grader.results import CheckStatus
from tests.conftest import REPO

pytestmark = pytest.mark.slow
SAMPLES = REPO / "assignments" / "pw06-mlp" / "samples"


@pytest.fixture(scope="module")
def validation(validated):
    return validated("pw06-mlp")


def test_pasted_public_labels_earn_no_metric_points(validation):
    # forward() and keras_model.predict() answer test images from a label table; the weights are untrained.
    checks = {c.check_id: c for c in validation["label_lookup"].result.checks}
    for check_id in ("ex3-error-rate", "ex4-error-rate"):
        assert checks[check_id].points_awarded == 0 and checks[check_id].measured["error_rate"] > 0.5
        assert checks[check_id].measured["n"] == len(mnist.held_test_set()[1])
    assert checks["ex3-forward"].status == CheckStatus.passed  # the honest parts keep their points


def test_classic_keras_activation_layers_keep_the_architecture_points(validation):
    checks = {c.check_id: c for c in validation["classic_keras"].result.checks}
    assert checks["ex4-architecture"].status == CheckStatus.passed, checks["ex4-architecture"].reason
    assert checks["ex4-error-rate"].status == CheckStatus.passed, checks["ex4-error-rate"].reason


def test_infinite_loop_is_cut_and_still_graded(validation):
    result = validation["infinite_loop"].result
    assert any(cell.status.value == "timeout" for cell in result.run.cells)
    assert result.score == validation["reference"].result.score


def test_grade_command_on_samples(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    for name in ("reference", "keras_in_ex3"):
        shutil.copy(SAMPLES / f"{name}.ipynb", folder / f"{name}.ipynb")
    done = subprocess.run(
        [sys.executable, "-m", "grader", "grade", str(folder), "-a", "pw06-mlp", "--out", str(tmp_path / "out"), "-j", "2"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "keras_in_ex3" in done.stdout and "lost: ex3-no-keras" in done.stdout
    html = (tmp_path / "out" / "pw06-mlp" / "keras_in_ex3.html").read_text()
    assert "Keras" in html and "<script" not in html
