"""Static checks parse the code: aliases, from-imports and indirect spellings are all caught."""

from __future__ import annotations

import pytest

from grader.checks import StaticCheck
from grader.checks.base import Evidence
from grader.results import CheckStatus


def evidence_for(cells):
    code = [(index, tags, source) for index, (source, tags) in enumerate(cells)]
    return Evidence(probes={}, held={}, inputs={}, reference=None, code_cells=code, cells=[], staff=None)


NO_KERAS = StaticCheck(id="no-keras", title="No Keras in ex3", points=10, cells=["ex3"], forbidden=["tensorflow.keras", "keras"])


@pytest.mark.parametrize(
    "setup, ex3",
    [
        ("import tensorflow as tf", "model = tf.keras.Sequential()"),
        ("from tensorflow import keras", "layer = keras.layers.Dense(10)"),
        ("import tensorflow as tf", "from tensorflow.keras.layers import Dense"),
        ("import keras", "x = 1"),  # imported in ex3? no: only used below
        ("import tensorflow as tf", "k = getattr(tf, 'keras')"),
        ("", "m = __import__('keras')"),
        ("import importlib", "m = importlib.import_module('tensorflow.keras')"),
        ("import tensorflow as tensorflow_alias", "opt = tensorflow_alias.keras.optimizers.SGD()"),
    ],
)
def test_keras_use_in_ex3_is_found(setup, ex3):
    if setup == "import keras":
        ex3 = "net = keras.Sequential()"
    result = NO_KERAS.judge(evidence_for([(setup, []), (ex3, ["ex3"])]))
    assert result.status == CheckStatus.failed, result.reason
    assert "cell 2 uses" in result.reason and result.points_awarded == 0


def test_keras_outside_scope_is_allowed():
    cells = [("import tensorflow as tf", []), ("W = tf.Variable(tf.zeros((3, 3)))", ["ex3"]), ("m = tf.keras.Sequential()", ["ex4"])]
    result = NO_KERAS.judge(evidence_for(cells))
    assert result.status == CheckStatus.passed and result.points_awarded == 10


def test_strings_and_comments_are_not_use():
    cells = [("import tensorflow as tf", []), ("# tf.keras is forbidden here\nnote = 'tf.keras'", ["ex3"])]
    assert NO_KERAS.judge(evidence_for(cells)).status == CheckStatus.passed


def test_required_api_must_appear():
    check = StaticCheck(id="tape", title="Uses GradientTape", points=2, cells=["ex3"], required=["tensorflow.GradientTape"])
    without = check.judge(evidence_for([("import tensorflow as tf", []), ("g = 1", ["ex3"])]))
    with_it = check.judge(evidence_for([("import tensorflow as tf", []), ("with tf.GradientTape() as tape:\n    pass", ["ex3"])]))
    assert without.status == CheckStatus.failed and "must use tensorflow.GradientTape" in without.reason
    assert with_it.status == CheckStatus.passed


def test_magics_do_not_break_parsing_and_syntax_errors_are_reported():
    ok = NO_KERAS.judge(evidence_for([("%matplotlib inline\nimport numpy as np", ["ex3"])]))
    broken = NO_KERAS.judge(evidence_for([("def broken(:", ["ex3"])]))
    assert ok.status == CheckStatus.passed
    assert broken.status == CheckStatus.error and "not valid Python" in broken.reason


def test_missing_tagged_cells_is_not_run():
    result = NO_KERAS.judge(evidence_for([("x = 1", [])]))
    assert result.status == CheckStatus.error and "No code cells tagged ex3" in result.reason


@pytest.mark.parametrize(
    "ex3",
    [
        "opt = tf.optimizers.SGD(learning_rate=0.1)",
        "init = tf.initializers.RandomNormal(stddev=0.1)",
        "loss = tf.losses.MeanSquaredError()",
        "from tensorflow.metrics import Accuracy",
        "acc = tf.metrics.Accuracy()",
    ],
)
def test_keras_under_tensorflow_aliases_is_keras(ex3):
    # In TF 2 these objects are Keras' (tf.optimizers.SGD.__module__ is keras.src.optimizers.sgd).
    result = NO_KERAS.judge(evidence_for([("import tensorflow as tf", []), (ex3, ["ex3"])]))
    assert result.status == CheckStatus.failed, result.reason
    assert "tensorflow.keras." in result.reason


@pytest.mark.parametrize(
    "ex3, spelled",
    [
        ('K = getattr(tf, "".join(["ke", "ras"]))\nmodel = K.Sequential()', "getattr() with a computed name"),
        ('name = "ke" + "ras"\nK = getattr(tf, name)', "getattr() with a computed name"),
        ('K = eval("tf." + "keras")', "eval()"),
        ('exec(compile("import keras", "x", "exec"))', "exec()"),
        ('K = __import__("ker" + "as")', "__import__()"),
        ('import importlib\nK = importlib.import_module("ker" "as".upper().lower())', "importlib.import_module()"),
        ('import sys\nK = sys.modules["ker" + "as"]', "sys.modules"),
        ('K = globals()["t" + "f"].keras', "globals()[...]"),
        ('K = vars(tf)["ker" + "as"]', "vars()[...]"),
        ('K = tf.__dict__["ker" + "as"]', "__dict__[...]"),
        ('setattr(tf, "x" + "y", 1)', "setattr() with a computed name"),
    ],
)
def test_names_computed_at_run_time_need_a_tas_review(ex3, spelled):
    result = NO_KERAS.judge(evidence_for([("import tensorflow as tf", []), (ex3, ["ex3"])]))
    assert result.status == CheckStatus.review, result.reason
    assert result.points_awarded == 0 and result.reason.startswith("Needs a TA's review")
    assert spelled in result.reason and "cell 2" in result.reason


def test_constant_reflection_and_reflection_outside_scope_stay_decided():
    outside = [("import tensorflow as tf\nK = getattr(tf, 'ke' + 'ras')", []), ("W = tf.Variable(tf.zeros((2, 2)))\nb = getattr(W, 'shape')", ["ex3"])]
    assert NO_KERAS.judge(evidence_for(outside)).status == CheckStatus.passed


def test_review_points_are_pending_not_lost(tmp_path):
    from types import SimpleNamespace

    from grader.pipeline import Submission, score

    verdict = NO_KERAS.judge(evidence_for([("import tensorflow as tf", []), ('K = getattr(tf, "ke" + "ras")', ["ex3"])]))
    assignment = SimpleNamespace(id="tiny", fingerprint="x")
    result = score(Submission("s", tmp_path / "s.ipynb"), assignment, [NO_KERAS], [verdict], None, None, False, 0.0)
    assert result.score == 0 and result.pending_points == 10
