"""``reconstruction``: an autoencoder's reconstructions of grader-held images, scored by a loss the grader computes.

The probe returns the student's reconstructions of images the grader sent; the grader keeps its own copy
of the originals (returned as ``held`` by the probe's input maker), computes the loss here, and compares
it with a bound: ``max`` (absolute), ``max_ratio_to_reference`` (times the reference solution's loss on the
same images), or both. The result carries a figure: the first originals, the student's reconstructions
and the reference's, one row each. Example::

    - id: ex3-mse-reconstruction
      kind: reconstruction
      probe: recon_mse              # returns {"reconstructions": (N, 784)} for the images it was sent
      field: reconstructions
      originals: images             # grader-held (N, 784) in [0, 1]
      loss: mse                     # the sheet's ||x - z||^2 per image, averaged over the images
      max: 100

With ``predict`` (a function of the rubric's judges.py) in place of ``field``, the probe exports the
model's weights only and the grader reconstructs the held images itself, with its own forward pass:
the images never enter the sandbox, and no function of the student's decides the loss. The reference's
reconstructions are computed the same way from its weights.

Lower is better, so only upper bounds exist: a better autoencoder never loses points.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from grader.checks.base import CheckBase, CheckNotRun, Evidence, Verdict, host_outputs
from grader.figures import image_grid_figure

# Cross-entropy takes log(z) and log(1 - z): reconstructions of exactly 0 or 1 are clipped this far inside.
CROSS_ENTROPY_EPSILON = 1e-7

LOSS_WORDS = {"mse": "squared-error", "cross_entropy": "cross-entropy"}


def reconstruction_loss(originals: np.ndarray, reconstructions: np.ndarray, loss: str, sum_over_features: bool = True) -> float:
    """Mean over examples of the per-example loss, summed (or averaged) over each example's values."""
    x = originals.reshape(len(originals), -1).astype(np.float64)
    z = reconstructions.reshape(len(reconstructions), -1).astype(np.float64)
    if loss == "mse":
        per_value = (x - z) ** 2
    elif loss == "cross_entropy":
        z = np.clip(z, CROSS_ENTROPY_EPSILON, 1.0 - CROSS_ENTROPY_EPSILON)
        per_value = -(x * np.log(z) + (1.0 - x) * np.log(1.0 - z))
    else:
        raise ValueError(f"unknown loss {loss!r}")
    per_example = per_value.sum(axis=1) if sum_over_features else per_value.mean(axis=1)
    return float(per_example.mean())


class ReconstructionCheck(CheckBase):
    """Reconstruction loss computed by the grader on held-out images, with a figure beside the reference's."""

    kind: Literal["reconstruction"] = Field("reconstruction", description="Check kind.")
    probe: str = Field(description="Probe that returned the reconstructions of the images the grader sent.")
    field: str | None = Field(None, description="Key of the probe output holding reconstructions made in the sandbox, one row per image (N, ...) (only without predict).")
    predict: str | None = Field(
        None, description="Function of the rubric's judges.py, (probe values, held data) -> (N, ...) reconstructions, computed on the host from the weights the probe exported."
    )
    originals: str = Field(description="Key of the grader-held data (from the probe's input maker) with the original images, values in [0, 1].")
    loss: Literal["mse", "cross_entropy"] = Field(description="mse: squared error ||x - z||^2; cross_entropy: -sum[x log z + (1 - x) log(1 - z)], z clipped to [1e-7, 1 - 1e-7].")
    sum_over_features: bool = Field(True, description="Sum the loss over the values of each image, then average over images (the usual textbook definition); false averages over values too.")
    max: float | None = Field(None, gt=0, description="Highest acceptable loss.")
    max_ratio_to_reference: float | None = Field(None, gt=0, description="Highest acceptable loss as a multiple of the reference solution's loss on the same images.")
    image_shape: tuple[int, int] = Field((28, 28), description="Height and width of one image, for the figure.")
    figure_images: int = Field(8, ge=1, le=32, description="How many images the figure shows per row.")
    what: str | None = Field(None, description="How to name the model to the student (default: the probe name).")

    @model_validator(mode="after")
    def _bounded(self) -> ReconstructionCheck:
        if self.max is None and self.max_ratio_to_reference is None:
            raise ValueError("a reconstruction check needs 'max', 'max_ratio_to_reference', or both")
        if (self.field is None) == (self.predict is None):
            raise ValueError("give exactly one of 'field' (reconstructions made in the sandbox) and 'predict' (computed by the grader)")
        return self

    def needed_probes(self) -> set[str]:
        return {self.probe}

    def probe_fields(self) -> dict[str, set[str]]:
        return {self.probe: {self.field}} if self.field else {}

    def staff_functions(self) -> dict[str, str]:
        return {"predict": self.predict} if self.predict else {}

    def uses_reference(self) -> bool:
        # Always: the figure shows the reference's reconstructions next to the student's.
        return True

    def _reference_reconstructions(self, evidence: Evidence, held: dict) -> np.ndarray | None:
        try:
            if self.predict is None:
                assert self.field is not None  # the validator requires exactly one of field and predict
                return np.asarray(evidence.reference_value(self.probe, self.field), dtype=np.float64)
            if evidence.reference is None or self.probe not in evidence.reference or not evidence.reference[self.probe].ok:
                raise RuntimeError(f"the reference solution produced no '{self.probe}' data")
            return host_outputs(evidence.staff, self.predict, evidence.reference[self.probe].values, held).astype(np.float64)
        except (RuntimeError, KeyError, CheckNotRun):
            if self.max_ratio_to_reference is not None:
                raise RuntimeError(f"check {self.id}: the reference solution produced no '{self.field}' ({self.probe}); run `grader validate`") from None
            return None

    def evaluate(self, evidence: Evidence) -> Verdict:
        what = self.what or self.probe
        held = evidence.held.get(self.probe, {})
        if self.originals not in held:
            raise RuntimeError(f"rubric: probe {self.probe} has no grader-held '{self.originals}'")
        originals = np.asarray(held[self.originals], dtype=np.float64)
        originals = originals.reshape(len(originals), -1)
        if originals.shape[1] != self.image_shape[0] * self.image_shape[1]:
            raise RuntimeError(f"rubric: check {self.id} has image_shape {self.image_shape} but the originals have {originals.shape[1]} values each")
        if self.predict is None:
            assert self.field is not None  # the validator requires exactly one of field and predict
            reconstructions = np.asarray(evidence.value(self.probe, self.field, self))
        else:
            reconstructions = host_outputs(evidence.staff, self.predict, evidence.probe(self.probe, self).values, held)
        if reconstructions.dtype.kind not in "biuf":
            raise CheckNotRun(f"{what} returned reconstructions that are not numbers.")
        if not np.all(np.isfinite(reconstructions)):
            raise CheckNotRun(f"{what} gave NaN or infinite reconstructions: its weights probably became NaN because the training diverged (a log(0) in the loss, for example).")
        reconstructions = reconstructions.astype(np.float64)
        if reconstructions.ndim == 0 or reconstructions.shape[0] != len(originals) or reconstructions[0].size != originals.shape[1]:
            raise CheckNotRun(
                f"{what} returned reconstructions of shape {reconstructions.shape} for {len(originals)} images of "
                f"{originals.shape[1]} pixels; one reconstruction of the same size per image was expected."
            )
        reconstructions = reconstructions.reshape(originals.shape)
        value = reconstruction_loss(originals, reconstructions, self.loss, self.sum_over_features)
        reference = self._reference_reconstructions(evidence, held)
        reference_value = None
        if reference is not None and reference.size == originals.size:
            reference = reference.reshape(originals.shape)
            reference_value = reconstruction_loss(originals, reference, self.loss, self.sum_over_features)
        bounds = []
        if self.max is not None:
            bounds.append(self.max)
        if self.max_ratio_to_reference is not None:
            if reference_value is None:
                raise RuntimeError(f"check {self.id}: the reference's reconstructions do not match the grader's images; run `grader validate`")
            bounds.append(self.max_ratio_to_reference * reference_value)
        bound = min(bounds)
        per = f"per image (summed over its {originals.shape[1]} pixels)" if self.sum_over_features else "per pixel"
        reason = f"The grader measured an average {LOSS_WORDS[self.loss]} reconstruction loss of {value:.4g} {per} for {what} on {len(originals)} held-out test images; at most {bound:.4g} is required"
        reason += f" (the reference solution reaches {reference_value:.4g})." if reference_value is not None else "."
        measured = {"loss": value, "bound": bound, "n": len(originals)}
        if reference_value is not None:
            measured["reference_loss"] = reference_value
        return Verdict(1.0 if value <= bound else 0.0, reason, measured, [self._figure(originals, reconstructions, reference, what)])

    def _figure(self, originals: np.ndarray, reconstructions: np.ndarray, reference: np.ndarray | None, what: str):
        count = min(self.figure_images, len(originals))
        rows = [originals[:count], reconstructions[:count]]
        caption = f"Top: {count} held-out test images; middle: your reconstructions ({what})"
        if reference is not None and reference.shape == originals.shape:
            rows.append(reference[:count])
            caption += "; bottom: the reference solution's."
        else:
            caption = caption.replace("middle", "bottom") + "."
        return image_grid_figure(rows, title=f"Reconstructions by {what}", caption=caption, image_shape=self.image_shape)
