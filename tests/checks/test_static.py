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
