"""Series 10 beyond the shared course table (test_courses.py): its judges on plain evidence, and the reconstruction figure in the report."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from grader.checks import TestCheck
from grader.checks.base import Evidence, ProbeData
from grader.reports import render_html
from grader.results import CheckStatus
from grader.rubric import load_assignment
from tests.conftest import REPO, judge_probes, student_namespace
from tests.test_figures import decode_png


@pytest.fixture(scope="module")
def assignment():
    return load_assignment("series10-autoencoder", REPO)


def judged(assignment, function, probe, values):
    check = TestCheck(id="t", title=function, points=1, function=function, probes=[probe])
    evidence = Evidence(probes={probe: ProbeData(probe, values=values)}, held={}, inputs={}, reference=None, code_cells=[], cells=[], staff=assignment.staff)
    return check.judge(evidence)


def statistics(method, std_of):
    values = {}
    for stack, sizes in (("shallow", [784, 256, 128]), ("deep", [300, 200, 100, 50])):
        mirrored = sizes[::-1]
        for i in range(len(sizes) - 1):
            for part, (rows, cols) in (("encoder", (sizes[i], sizes[i + 1])), ("decoder", (mirrored[i], mirrored[i + 1]))):
                for key, shape in ((f"{part}_h{i + 1}", (rows, cols)), (f"{part}_b{i + 1}", (cols, 0))):
                    prefix = f"{method}.{stack}.{key}"
                    values.update({f"{prefix}.mean": 0.0, f"{prefix}.std": std_of(*shape), f"{prefix}.rows": shape[0], f"{prefix}.cols": shape[1]})
    return values


def test_xavier_statistics_accept_the_glorot_variance_and_explain_a_wrong_one(assignment):
    glorot = statistics("xavier", lambda rows, cols: np.sqrt(2 / (rows + cols)) if cols else 0.0)
    assert judged(assignment, "test_init_xavier", "init_statistics", glorot).status == CheckStatus.passed
    truncated = statistics("xavier", lambda rows, cols: 0.88 * np.sqrt(2 / (rows + cols)) if cols else 0.0)  # truncated normal
    assert judged(assignment, "test_init_xavier", "init_statistics", truncated).status == CheckStatus.passed
    variance = statistics("xavier", lambda rows, cols: 2 / (rows + cols) if cols else 0.0)
    result = judged(assignment, "test_init_xavier", "init_statistics", variance)
    assert result.status == CheckStatus.failed and "variance 2/(n_in + n_out)" in result.reason


def test_normal_statistics_want_unit_variance_weights_and_biases(assignment):
    assert judged(assignment, "test_init_normal", "init_statistics", statistics("normal", lambda rows, cols: 1.0)).status == CheckStatus.passed
    small = judged(assignment, "test_init_normal", "init_statistics", statistics("normal", lambda rows, cols: 0.1))
    assert small.status == CheckStatus.failed and "N(0, 1)" in small.reason
    zero_biases = judged(assignment, "test_init_normal", "init_statistics", statistics("normal", lambda rows, cols: 1.0 if cols else 0.0))
    assert zero_biases.status == CheckStatus.failed and "biases" in zero_biases.reason


def test_bottleneck_names_the_layout(assignment):
    values = {"keys": ["decoder_h1", "decoder_h2", "encoder_h1", "encoder_h2"]}
    values.update({"shape.encoder_h1": [784, 256], "shape.encoder_h2": [256, 128], "shape.decoder_h1": [128, 256], "shape.decoder_h2": [256, 784]})
    result = judged(assignment, "test_deep_bottleneck", "deep_layout", values)
    assert result.status == CheckStatus.failed and "(784 -> 256 -> 128)" in result.reason


@pytest.fixture(scope="module")
def validation(validated):
    return validated("series10-autoencoder")


@pytest.mark.slow
def test_reconstruction_checks_carry_the_figure_into_the_report(validation):
    result = validation["untrained"].result
    check = next(c for c in result.checks if c.check_id == "ex3-reconstruction-xavier")
    assert check.status == CheckStatus.failed and "at most 175 is required (the reference solution reaches" in check.reason
    (figure,) = check.figures
    pixels = decode_png(base64.b64decode(figure.png_base64))
    assert pixels.shape == (2 + 3 * 58, 2 + 8 * 58)  # originals, the student's, the reference's; 8 images of 28x28 at scale 2
    assert "data:image/png;base64," + figure.png_base64 in render_html(result, "Series 10")


def model_values(rng, sizes):
    values = {}
    mirrored = sizes[::-1]
    for i in range(len(sizes) - 1):
        for part, (n_in, n_out) in (("encoder", (sizes[i], sizes[i + 1])), ("decoder", (mirrored[i], mirrored[i + 1]))):
            values[f"weights.{part}_h{i + 1}"] = rng.normal(scale=0.1, size=(n_in, n_out))
            values[f"biases.{part}_b{i + 1}"] = rng.normal(scale=0.1, size=(n_out,))
    return values


def test_reconstructions_come_from_the_weights_whatever_the_notebook_claims(assignment):
    judges = assignment.staff
    rng = np.random.default_rng(0)
    held = {"images": rng.uniform(size=(5, 784))}
    values = model_values(rng, [784, 32, 8, 4])  # a deep model, whatever functions built it
    h = held["images"]
    for part in ("encoder", "decoder"):
        for i in (1, 2, 3):
            h = 1 / (1 + np.exp(-(h @ values[f"weights.{part}_h{i}"] + values[f"biases.{part}_b{i}"])))
    assert np.allclose(judges.host_reconstructions(values, held), h)
    # A decoder output on the probe's code that matches neither model (e.g. an identity trick) changes nothing.
    assert np.allclose(judges.host_reconstructions({**values, "decoded": np.full((1, 784), 0.5)}, held), h)


def test_a_linear_output_decoder_is_rebuilt_as_such(assignment):
    judges = assignment.staff
    rng = np.random.default_rng(1)
    values = model_values(rng, [784, 16, 8])
    decoder = [(values[f"weights.decoder_h{i}"], values[f"biases.decoder_b{i}"]) for i in (1, 2)]
    code = np.full((1, 8), 0.5)
    linear = (1 / (1 + np.exp(-(code @ decoder[0][0] + decoder[0][1])))) @ decoder[1][0] + decoder[1][1]
    out = judges.host_reconstructions({**values, "decoded": linear}, {"images": rng.uniform(size=(3, 784))})
    assert out.min() < 0 or out.max() > 1  # no sigmoid at the end: the model the student trained


def test_broken_weights_get_a_reason(assignment):
    from grader.checks.base import CheckNotRun

    values = model_values(np.random.default_rng(2), [784, 16, 8])
    values["weights.encoder_h2"] = values["weights.encoder_h2"] * np.nan
    with pytest.raises(CheckNotRun, match="encoder_h2 or encoder_b2 holds NaN"):
        assignment.staff.host_reconstructions(values, {"images": np.zeros((2, 784))})
    del values["weights.encoder_h1"]
    with pytest.raises(CheckNotRun, match="no encoder_h1"):
        assignment.staff.host_reconstructions(values, {"images": np.zeros((2, 784))})


def test_xavier_for_sigmoid_units_earns_half_and_names_the_factor(assignment):
    check = next(c for c in assignment.rubric.checks if c.id == "ex3-init-xavier")
    four = statistics("xavier", lambda rows, cols: 4 * np.sqrt(2 / (rows + cols)) if cols else 0.0)
    evidence = Evidence(probes={"init_statistics": ProbeData("init_statistics", values=four)}, held={}, inputs={}, reference=None, code_cells=[], cells=[], staff=assignment.staff)
    result = check.judge(evidence)
    assert result.status == CheckStatus.partial and result.points_awarded == check.points / 2
    assert "scales the weights by 4" in result.reason and "sigmoid units" in result.reason
    twice = statistics("xavier", lambda rows, cols: 2 * np.sqrt(2 / (rows + cols)) if cols else 0.0)
    evidence.probes["init_statistics"] = ProbeData("init_statistics", values=twice)
    assert check.judge(evidence).points_awarded == 0


XAVIER_4X = """
def init_weights(sizes, method="normal"):
    weights, biases = {}, {}
    layers = list(zip(sizes[:-1], sizes[1:]))
    for part, pairs in (("encoder", layers), ("decoder", [(b, a) for a, b in reversed(layers)])):
        for i, (n_in, n_out) in enumerate(pairs, start=1):
            if method == "xavier":  # Glorot & Bengio (2010), eq. 16, times 4 for sigmoid units
                r = 4 * np.sqrt(6.0 / (n_in + n_out))
                weights[f"{part}_h{i}"] = tf.Variable(tf.random.uniform([n_in, n_out], -r, r))
                biases[f"{part}_b{i}"] = tf.Variable(tf.zeros([n_out]))
            else:
                weights[f"{part}_h{i}"] = tf.Variable(tf.random.normal([n_in, n_out]))
                biases[f"{part}_b{i}"] = tf.Variable(tf.random.normal([n_out]))
    return weights, biases
"""

LOSSES = """
def cross_entropy_loss(x, z):
    return tf.reduce_mean(-tf.reduce_sum(x * tf.math.log(1e-10 + z) + (1 - x) * tf.math.log(1e-10 + 1 - z), axis=1))
"""


def test_the_4x_xavier_variant_written_as_a_student_would_earns_half(tmp_path, assignment):
    namespace = student_namespace(XAVIER_4X)
    verdicts = judge_probes(tmp_path, assignment, namespace, ["init_statistics", "init_layout"], ["ex3-init-xavier", "ex3-init-normal", "ex3-init-layout"])
    assert verdicts["ex3-init-layout"].status == CheckStatus.passed and verdicts["ex3-init-normal"].status == CheckStatus.passed
    assert verdicts["ex3-init-xavier"].points_awarded == 3 and "by 4" in verdicts["ex3-init-xavier"].reason
    namespace = student_namespace(XAVIER_4X.replace("r = 4 * np.sqrt", "r = np.sqrt"))
    assert judge_probes(tmp_path / "1x", assignment, namespace, ["init_statistics"], ["ex3-init-xavier"])["ex3-init-xavier"].points_awarded == 6


@pytest.mark.parametrize(
    "guard, passes",
    [
        ("tf.math.log(1e-10 + z) + (1 - x) * tf.math.log(1e-10 + 1 - z)", False),  # 1 - 1 + 1e-10 is 0 in float32
        ("tf.math.log(z + 1e-7) + (1 - x) * tf.math.log(1 - z + 1e-7)", True),
        ("tf.math.log(tf.clip_by_value(z, 1e-7, 1 - 1e-7)) + (1 - x) * tf.math.log(tf.clip_by_value(1 - z, 1e-7, 1 - 1e-7))", True),
        ("tf.math.log(z) + (1 - x) * tf.math.log(1 - z)", False),
    ],
)
def test_cross_entropy_is_checked_where_z_is_exactly_zero_or_one(tmp_path, assignment, guard, passes):
    namespace = student_namespace(LOSSES.replace("tf.math.log(1e-10 + z) + (1 - x) * tf.math.log(1e-10 + 1 - z)", guard))
    verdict = judge_probes(tmp_path, assignment, namespace, ["cross_entropy_values"], ["ex3-cross-entropy-loss"])["ex3-cross-entropy-loss"]
    assert (verdict.status == CheckStatus.passed) == passes, verdict.reason
    if not passes:
        assert "NaN or infinite on grader-chosen input 5 of 5" in verdict.reason and verdict.points_awarded == 0
