"""Series 10 grader-side code: input makers, formulas and test functions. Runs outside the sandbox only.

Input makers take ``(rng, data)`` and return ``(sent, held)``: the held-out test images the probes
reconstruct are also kept here, and the ``reconstruction`` checks compute the losses from this copy.
Formulas take ``(inputs, held)``; test functions take ``(evidence, check)`` and fail with an assertion
message written for the student.
"""

from __future__ import annotations

import numpy as np

from grader.rubric.authoring import CheckNotRun, finite_array, sigmoid

FORWARD_SIZES = {2: [20, 12, 6], 3: [20, 16, 10, 4]}
RECONSTRUCTED_IMAGES = 200
EDGE_BATCH = 4  # the loss inputs' batch whose reconstructions hold exact 0s and 1s
XAVIER_FOR_SIGMOID = 4.0  # Glorot & Bengio's factor for sigmoid units: a known variant, worth part of the points

# -- input makers ---------------------------------------------------------------------------------


def forward_inputs(rng, data):
    """Random weights for a 2-layer (the sheet's shape) and a 3-layer autoencoder, inputs and codes in [0, 1]."""
    sent = {}
    for depth, sizes in FORWARD_SIZES.items():
        mirrored = sizes[::-1]
        for i in range(depth):
            for part, (n_in, n_out) in (("encoder", (sizes[i], sizes[i + 1])), ("decoder", (mirrored[i], mirrored[i + 1]))):
                sent[f"d{depth}.{part}_h{i + 1}"] = rng.normal(scale=0.8, size=(n_in, n_out)).astype(np.float32)
                sent[f"d{depth}.{part}_b{i + 1}"] = rng.normal(scale=0.5, size=(n_out,)).astype(np.float32)
        sent[f"d{depth}.x"] = rng.uniform(size=(10, sizes[0])).astype(np.float32)
        sent[f"d{depth}.code"] = rng.uniform(size=(10, sizes[-1])).astype(np.float32)
    return sent, {}


def loss_inputs(rng, data):
    """4 batches of 16 MNIST test images in [0, 1] with reconstructions inside (0, 1), then one batch at the edge
    of the domain: binarized images whose reconstruction is exactly 0 or 1 on half the pixels (and right there,
    so the true loss is finite). Saturated sigmoids give exactly 0 and 1 in float32; a guard such as
    log(1e-10 + 1 - z), which vanishes next to 1 in float32, gives NaN there."""
    images, _ = data.mnist_public_test
    chosen = rng.choice(len(images), size=80, replace=False)
    x = (images[chosen].reshape(5, 16, 784) / 255.0).astype(np.float32)
    z = rng.uniform(0.02, 0.98, size=x.shape).astype(np.float32)
    x[EDGE_BATCH] = (x[EDGE_BATCH] > 0.5).astype(np.float32)
    exact = rng.uniform(size=x[EDGE_BATCH].shape) < 0.5
    z[EDGE_BATCH] = np.where(exact, x[EDGE_BATCH], z[EDGE_BATCH])
    return {"x": x, "z": z}, {}


def held_out_images(rng, data):
    """Images from the held half of the test set, in [0, 1]: kept here, never sent; the grader reconstructs them."""
    images, _ = data.mnist_held_test
    chosen = np.sort(rng.choice(len(images), size=RECONSTRUCTED_IMAGES, replace=False))
    return {}, {"images": images[chosen].reshape(-1, 784) / 255.0}


# -- formulas ---------------------------------------------------------------------------------------


def _layers(inputs, depth, part, h):
    h = h.astype(np.float64)
    for i in range(1, depth + 1):
        h = sigmoid(h @ inputs[f"d{depth}.{part}_h{i}"] + inputs[f"d{depth}.{part}_b{i}"])
    return h


def _layer_stack(values, part):
    """[(W, b), ...] of the encoder or decoder, from the exported dicts, checked to chain."""
    layers = []
    for i in range(1, 10):
        weight, bias = f"weights.{part}_h{i}", f"biases.{part}_b{i}"
        if weight not in values:
            break
        if bias not in values:
            raise CheckNotRun(f"The model has {part}_h{i} but no {part}_b{i} among its biases.")
        W, b = np.asarray(values[weight], dtype=np.float64), np.asarray(values[bias], dtype=np.float64)
        if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
            raise CheckNotRun(f"The model's {part}_h{i} or {part}_b{i} holds NaN or infinite values: its training diverged (a log(0) in the loss, for example).")
        if W.ndim != 2 or b.shape != (W.shape[1],) or (layers and layers[-1][0].shape[1] != W.shape[0]):
            raise CheckNotRun(f"The model's {part} layers do not chain: {part}_h{i} has shape {list(W.shape)} and {part}_b{i} {list(b.shape)}.")
        layers.append((W, b))
    if not layers:
        names = sorted(key.split(".", 1)[1] for key in values if key.startswith("weights."))
        raise CheckNotRun(f"The model's weights have no {part}_h1 (its keys: {', '.join(names) or 'none'}); keep the template's names.")
    return layers


def _forward(h, layers, linear_output):
    with np.errstate(over="ignore"):  # exp overflow is a saturated sigmoid (0), not an error
        for position, (W, b) in enumerate(layers):
            h = h @ W + b
            if not (linear_output and position == len(layers) - 1):
                h = sigmoid(h)
                # Saturated units give subnormal floats, which make the next product ~100x slower; they change no loss.
                h[h < 1e-30] = 0.0
    return h


def _linear_output(values, decoder_layers) -> bool:
    """Whether the student's decoder ends linearly: its output on the probe's constant code says which model it is.

    Only two grader-built models are candidates, so the student's output chooses a forward pass, never a loss;
    the slip itself is charged by ex3-decoder alone (one mistake costs once).
    """
    if "decoded" not in values:
        return False
    decoded = np.asarray(values["decoded"], dtype=np.float64)
    code = np.full((1, decoder_layers[0][0].shape[0]), 0.5)
    linear = _forward(code, decoder_layers, linear_output=True)
    sheet = _forward(code, decoder_layers, linear_output=False)
    return decoded.shape == linear.shape and np.allclose(decoded, linear, rtol=1e-3, atol=1e-4) and not np.allclose(decoded, sheet, rtol=1e-3, atol=1e-4)


def host_reconstructions(values, held):
    """decoder(encoder(x)) with sigmoids at every layer (the sheet's model), from the exported weights, in float64."""
    h = held["images"].astype(np.float64)
    encoder, decoder = _layer_stack(values, "encoder"), _layer_stack(values, "decoder")
    layers = encoder + decoder
    if layers[0][0].shape[0] != h.shape[1] or layers[-1][0].shape[1] != h.shape[1]:
        raise CheckNotRun(f"The model maps {layers[0][0].shape[0]} inputs to {layers[-1][0].shape[1]} outputs; 784 -> ... -> 784 was expected.")
    return _forward(h, layers, _linear_output(values, decoder))


def expected_encoded2(inputs, held):
    return _layers(inputs, 2, "encoder", inputs["d2.x"])


def expected_decoded2(inputs, held):
    return _layers(inputs, 2, "decoder", inputs["d2.code"])


def expected_mse(inputs, held):
    x, z = inputs["x"].astype(np.float64), inputs["z"].astype(np.float64)
    return np.mean(np.sum((x - z) ** 2, axis=2), axis=1)


def expected_cross_entropy(inputs, held):
    x, z = inputs["x"].astype(np.float64), inputs["z"].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 log 0 = 0: the limit, where z is exactly 0 or 1
        terms = np.where(x > 0, x * np.log(z), 0.0) + np.where(x < 1, (1 - x) * np.log(1 - z), 0.0)
    return np.mean(-np.sum(terms, axis=2), axis=1)


# -- test functions ---------------------------------------------------------------------------------


def _shape_names(sizes):
    depth, mirrored = len(sizes) - 1, sizes[::-1]
    weights, biases = {}, {}
    for i in range(depth):
        weights[f"encoder_h{i + 1}"] = [sizes[i], sizes[i + 1]]
        weights[f"decoder_h{i + 1}"] = [mirrored[i], mirrored[i + 1]]
        biases[f"encoder_b{i + 1}"] = [sizes[i + 1]]
        biases[f"decoder_b{i + 1}"] = [mirrored[i + 1]]
    return weights, biases


def _names(values) -> list[str]:
    return [str(value) for value in np.ravel(values)]


def test_init_layout(evidence, check):
    for method in ("normal", "xavier"):
        for label, sizes in (("sheet", [784, 256, 128]), ("deeper", [784, 256, 128, 64])):
            call = f'init_weights({sizes}, method="{method}")'
            for group, expected in zip(("weights", "biases"), _shape_names(sizes)):
                keys = _names(evidence.value("init_layout", f"{method}.{label}.{group}.keys", check))
                assert sorted(keys) == sorted(expected), (
                    f"{call} returned {group} with the keys {', '.join(sorted(keys)) or 'none'}; {', '.join(sorted(expected))} were expected (the decoder mirrors the encoder)."
                )
                for key, shape in expected.items():
                    got = [int(v) for v in np.ravel(evidence.value("init_layout", f"{method}.{label}.{group}.shape.{key}", check))]
                    assert got == shape, f"In {call}, {group}['{key}'] has shape {tuple(got)}; {tuple(shape)} was expected (weights are (n_in, n_out), used as x @ W)."


def _statistics(evidence, check, method):
    """{(stack, key): (mean, std, rows, cols)} of one initialisation method."""
    values = evidence.probe("init_statistics", check).values
    found = {}
    for name in values:
        parts = name.split(".")
        if parts[0] == method and parts[-1] == "std":
            stack, key = parts[1], ".".join(parts[2:-1])
            prefix = f"{method}.{stack}.{key}"
            found[(stack, key)] = tuple(float(values[f"{prefix}.{what}"]) for what in ("mean", "std", "rows", "cols"))
    if not found:
        raise CheckNotRun(f'init_weights(..., method="{method}") returned no weights.')
    for stack, key in found:
        finite_array([found[(stack, key)][0], found[(stack, key)][1]], f"The initial {key} ({method})")
    return found


def test_init_normal(evidence, check):
    statistics = _statistics(evidence, check, "normal")
    bias_count = bias_square_sum = 0.0
    for (_stack, key), (mean, std, rows, cols) in sorted(statistics.items()):
        if cols:  # a weight matrix: thousands of values, so the estimates are tight
            assert 0.9 <= std <= 1.1 and abs(mean) <= 0.1, (
                f'init_weights(..., method="normal") gives {key} ({rows:.0f}x{cols:.0f}) weights with mean {mean:.3g} and standard '
                f"deviation {std:.3g}; task 2 asks for N(0, 1), the default of tf.random.normal (mean 0, standard deviation 1)."
            )
        else:
            bias_count += rows
            bias_square_sum += rows * (std**2 + mean**2)
    if bias_count:
        spread = float(np.sqrt(bias_square_sum / bias_count))
        assert 0.8 <= spread <= 1.2, f'init_weights(..., method="normal") gives biases with a root-mean-square of {spread:.3g}; task 2 draws the biases from N(0, 1) too (root-mean-square about 1).'


def test_init_xavier(evidence, check):
    """Full points for the sheet's Xavier (any distribution with variance 2/(n_in + n_out)); half for the 4x variant
    for sigmoid units (Glorot & Bengio), with the factor named; nothing for other scales."""
    statistics = _statistics(evidence, check, "xavier")
    scaled = []
    for (_stack, key), (mean, std, rows, cols) in sorted(statistics.items()):
        if not cols:
            continue  # biases: zero or small, the sheet does not prescribe them
        expected = float(np.sqrt(2.0 / (rows + cols)))
        factor = next((f for f in (1.0, XAVIER_FOR_SIGMOID) if abs(std - f * expected) <= 0.15 * f * expected), None)
        assert factor is not None and abs(mean) <= 0.1 * factor * expected, (
            f'init_weights(..., method="xavier") gives {key} ({rows:.0f}x{cols:.0f}) weights with standard deviation {std:.3g} '
            f"(mean {mean:.2g}); Xavier initialisation has variance 2/(n_in + n_out), a standard deviation of "
            f"sqrt(2/({rows:.0f}+{cols:.0f})) = {expected:.3g} (15 % tolerance), mean 0."
        )
        if factor != 1.0:
            scaled.append(key)
    if scaled:
        return 0.5, (
            f'init_weights(..., method="xavier") scales the weights by {XAVIER_FOR_SIGMOID:g} ({", ".join(sorted(set(scaled)))}): the '
            f"{XAVIER_FOR_SIGMOID:g}x variant Glorot & Bengio give for sigmoid units, a standard deviation {XAVIER_FOR_SIGMOID:g} times "
            "sqrt(2/(n_in + n_out)); task 5 asks for variance 2/(n_in + n_out) itself, so half the points."
        )


def test_depth_follows_dicts(evidence, check):
    """Shapes only: what each layer computes is the encoder and decoder checks' business, not this one's."""
    for part, probe, source in (("encoder", "encode", "d3.x"), ("decoder", "decode", "d3.code")):
        inputs = evidence.inputs[probe]
        actual = finite_array(evidence.value(probe, "depth3", check), f"Your {part} output")
        expected = _layers(inputs, 3, part, inputs[source]).shape
        assert actual.shape == expected, (
            f"Given dicts with three layers per side ({part}_h1 to {part}_h3, sizes {FORWARD_SIZES[3]}), your {part} returned "
            f"shape {actual.shape}; {expected} was expected: use as many layers as the dicts hold (task 6 reuses the same functions)."
        )


def test_deep_bottleneck(evidence, check):
    keys = _names(evidence.value("deep_layout", "keys", check))
    shapes = {key: tuple(int(v) for v in np.ravel(evidence.value("deep_layout", f"shape.{key}", check))) for key in keys}
    encoder_shapes = [shapes[f"encoder_h{i}"] for i in range(1, 10) if f"encoder_h{i}" in shapes]
    layout = " -> ".join(str(n) for n in [encoder_shapes[0][0], *[shape[1] for shape in encoder_shapes]]) if encoder_shapes else "none"
    assert len(encoder_shapes) == 3, f"trained_deep's encoder has {len(encoder_shapes)} layers ({layout}); task 6 adds a third hidden layer: 784 -> 256 -> 128 -> 64."
    assert encoder_shapes[-1][1] == 64, f"trained_deep's encoder ends with {encoder_shapes[-1][1]} units ({layout}); task 6 asks for a bottleneck of 64."
    assert [list(shape) for shape in encoder_shapes] == [[784, 256], [256, 128], [128, 64]], f"trained_deep's encoder is {layout}; 784 -> 256 -> 128 -> 64 was expected."
