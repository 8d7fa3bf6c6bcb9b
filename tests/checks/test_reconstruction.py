"""reconstruction: the grader computes the loss on images it holds, bounds it, and attaches a figure."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from pydantic import ValidationError

from grader.checks import ReconstructionCheck
from grader.checks.base import ProbeData
from grader.checks.reconstruction import reconstruction_loss
from grader.results import CheckStatus
from tests.checks.test_judges import evidence
from tests.test_figures import decode_png

RNG = np.random.default_rng(0)
ORIGINALS = (RNG.uniform(size=(20, 784)) > 0.8).astype(np.float64)  # binary-ish "digits"
GOOD = np.clip(ORIGINALS * 0.9 + 0.05, 0, 1)  # close to the originals
REFERENCE = np.clip(ORIGINALS * 0.8 + 0.1, 0, 1)
MEAN_IMAGE = np.tile(ORIGINALS.mean(axis=0), (20, 1))


def check(**fields):
    base = dict(id="rec", title="Reconstructions", points=10, probe="recon", field="reconstructions", originals="images", loss="mse", max=50.0, exercise="ex3")
    return ReconstructionCheck(**{**base, **fields})


def judged(rubric_check, reconstructions, reference=REFERENCE):
    reference_data = None if reference is None else {"recon": ProbeData("recon", values={"reconstructions": reference})}
    return rubric_check.judge(evidence({"recon": {"reconstructions": reconstructions}}, held={"recon": {"images": ORIGINALS}}, reference=reference_data))


def test_losses_follow_the_sheet_sum_per_image_then_mean():
    x, z = np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[0.5, 0.5], [1.0, 0.0]])
    assert reconstruction_loss(x, z, "mse") == pytest.approx((0.5 + 1.0) / 2)
    assert reconstruction_loss(x, z, "mse", sum_over_features=False) == pytest.approx((0.5 + 1.0) / 4)
    expected = (2 * np.log(2) + (0 - np.log(1e-7))) / 2  # z = 0 where x = 1 is clipped, not infinite
    assert reconstruction_loss(x, z, "cross_entropy") == pytest.approx(expected)


def test_passes_below_max_with_measured_loss_and_reference_in_reason():
    result = judged(check(), GOOD)
    assert result.status == CheckStatus.passed and result.points_awarded == 10
    assert result.measured["loss"] == pytest.approx(reconstruction_loss(ORIGINALS, GOOD, "mse"))
    assert result.measured["reference_loss"] == pytest.approx(reconstruction_loss(ORIGINALS, REFERENCE, "mse"))
    assert "on 20 held-out test images; at most 50 is required (the reference solution reaches" in result.reason


def test_fails_above_max_and_says_by_how_much():
    result = judged(check(max=5.0), MEAN_IMAGE)
    assert result.status == CheckStatus.failed and result.points_awarded == 0
    assert f"{reconstruction_loss(ORIGINALS, MEAN_IMAGE, 'mse'):.4g}" in result.reason and "at most 5 is required" in result.reason
    assert result.figures, "a failing check still shows the picture"


def test_ratio_to_reference_bounds_by_the_reference_loss():
    reference_loss = reconstruction_loss(ORIGINALS, REFERENCE, "cross_entropy")
    ratio = check(loss="cross_entropy", max=None, max_ratio_to_reference=1.2)
    assert judged(ratio, REFERENCE).status == CheckStatus.passed
    result = judged(ratio, MEAN_IMAGE)
    assert result.status == CheckStatus.failed and result.measured["bound"] == pytest.approx(1.2 * reference_loss)
    without = judged(ratio, GOOD, reference=None)  # a rubric problem: an error for the TA, not a silent pass
    assert without.status == CheckStatus.error and "reference solution produced no 'reconstructions'" in without.reason


def test_the_tighter_of_two_bounds_applies():
    both = check(max=1000.0, max_ratio_to_reference=0.5)
    assert judged(both, REFERENCE).status == CheckStatus.failed


def test_figure_rows_originals_student_reference():
    result = judged(check(), GOOD)
    (figure,) = result.figures
    pixels = decode_png(base64.b64decode(figure.png_base64))
    assert pixels.shape == (2 + 3 * (56 + 2), 2 + 8 * (56 + 2))
    assert "middle: your reconstructions" in figure.caption and "bottom: the reference" in figure.caption
    first_original = pixels[2 : 2 + 56 : 2, 2 : 2 + 56 : 2]
    assert np.array_equal(first_original, np.rint(ORIGINALS[0].reshape(28, 28) * 255))
    second_row = pixels[60 : 60 + 56 : 2, 2 : 2 + 56 : 2]
    assert np.array_equal(second_row, np.rint(GOOD[0].reshape(28, 28) * 255))


def test_without_reference_the_figure_has_two_rows():
    result = judged(check(), GOOD, reference=None)
    assert result.status == CheckStatus.passed and "reference" not in result.reason
    pixels = decode_png(base64.b64decode(result.figures[0].png_base64))
    assert pixels.shape[0] == 2 + 2 * (56 + 2) and "bottom: your reconstructions" in result.figures[0].caption


@pytest.mark.parametrize("shape", [(19, 784), (20, 783), (784,)])
def test_wrong_shape_is_not_run_with_a_sentence(shape):
    result = judged(check(what="trained_mse"), np.zeros(shape))
    assert result.status == CheckStatus.error and result.points_awarded == 0
    assert result.reason.startswith("Not evaluated: trained_mse returned reconstructions of shape") and result.reason.endswith("was expected.")


def test_nan_reconstructions_earn_zero():
    broken = GOOD.copy()
    broken[3, 3] = np.nan
    result = judged(check(what="trained_xent"), broken)
    assert result.status == CheckStatus.error
    assert result.reason == ("Not evaluated: trained_xent gave NaN or infinite reconstructions: its weights probably became NaN because the training diverged (a log(0) in the loss, for example).")
    text = judged(check(what="trained_xent"), np.array([["a"] * 784] * 20))
    assert text.status == CheckStatus.error and "not numbers" in text.reason


def test_probe_failure_is_reported():
    result = check().judge(evidence({"recon": ProbeData("recon", error="NameError: name 'trained_mse' is not defined")}, held={"recon": {"images": ORIGINALS}}))
    assert result.status == CheckStatus.error and "NameError" in result.reason


def test_rubric_needs_a_bound_and_the_check_always_wants_the_reference():
    with pytest.raises(ValidationError, match="needs 'max', 'max_ratio_to_reference', or both"):
        check(max=None)
    assert check().uses_reference()


def test_rubric_yaml_accepts_the_kind(tmp_path):
    from grader.rubric import parse_rubric

    path = tmp_path / "ae.yaml"
    path.write_text(
        "id: ae\ntitle: AE\nnotebook: ae.ipynb\nprobes:\n  recon: {inputs: images}\nchecks:\n"
        "  - {id: r, kind: reconstruction, title: r, points: 1, probe: recon, field: z, originals: images, loss: cross_entropy, max_ratio_to_reference: 1.3}\n"
    )
    (rubric_check,) = parse_rubric(path).checks
    assert isinstance(rubric_check, ReconstructionCheck) and rubric_check.image_shape == (28, 28)
