"""Generate the series 10 notebooks: student template, reference solution and sample submissions.

    python assignments/series10-autoencoder/make_notebooks.py

writes
    assignments/series10-autoencoder/series10-autoencoder.ipynb       student template
    reference/series10-autoencoder/series10-autoencoder.ipynb         reference solution
    assignments/series10-autoencoder/samples/<student>.ipynb          samples, each the reference with targeted changes

Exercise cells carry the tag of their problem (``ex1``, ``ex2``, ``ex3``). Problem 3 runs in TensorFlow 2
(eager, with ``tf.function`` training steps). The training budget (3 epochs of 256-image batches, Adam 0.001)
keeps each of the four trainings at about 5-6 s on 2 CPU cores, the whole notebook at about 35 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))

from notebook_builder import Cell, code, derive, edit, md, replace, with_self_checks, write  # noqa: E402

NAME = "series10-autoencoder"
TEMPLATE_PATH = HERE / f"{NAME}.ipynb"
REFERENCE_PATH = REPO / "reference" / NAME / f"{NAME}.ipynb"
SAMPLES_DIR = HERE / "samples"

# ------------------------------------------------------------------------------------------------
# Reference solution
# ------------------------------------------------------------------------------------------------

INTRO = r"""
# Deep Learning – Exercise series 10: ELBO, variational autoencoders, an autoencoder in TensorFlow

**How this notebook is graded.** Problems 1 and 2 are answered in the markdown cells marked *YOUR ANSWER
HERE* and graded by a TA. Problem 3 is graded automatically: the grader runs the whole notebook, then calls
your functions and reads your trained models on inputs of its own choosing (it computes the reconstruction
losses of your models on held-out test images itself). Keep these names:

| task | names the grader uses |
|---|---|
| 1, 2, 5 | `init_weights(sizes, method="normal")` → `(weights, biases)`; `encoder(x, weights, biases)`, `decoder(y, weights, biases)` |
| 3, 4 | `mse_loss(x, z)`, `cross_entropy_loss(x, z)` |
| 3, 4, 5, 6 | the trained pairs `trained_mse`, `trained_xent`, `trained_xavier`, `trained_deep`, each `(weights, biases)` |

Keep the training budget of the template (a few seconds per model): the whole notebook must run in well
under five minutes. While grading, `mnist.load_data()` returns about half of the MNIST test set; the grader
reconstructs test images of the other half itself, from your trained weights.
"""

SETUP = r"""
import time

import numpy as np
import tensorflow as tf
from IPython.display import Image, display

from grader.datasets import mnist
from grader.figures import image_grid_png

tf.random.set_seed(10)
np.random.seed(10)
print("TensorFlow", tf.__version__)
"""

DATA = r"""
# MNIST: 60000 training and 10000 test images of 28x28 pixels; labels are not needed
(x_train, _), (x_test, _) = mnist.load_data()
X_train = x_train.reshape(-1, 784).astype("float32") / 255.0   # pixels in [0, 1]
X_test = x_test.reshape(-1, 784).astype("float32") / 255.0
print("train:", X_train.shape, " test:", X_test.shape)
"""

EX1_MD = r"""
## Problem 1 – Evidence lower bound

Starting from $\mathcal{L} = \log p_\theta(\mathbf{x})$ and inserting $1 = \int q_\phi(\mathbf{z}|\mathbf{x})\,d\mathbf{z}$, show that
$\mathcal{L} = \mathcal{F} + D_{KL}\big(q_\phi(\mathbf{z}|\mathbf{x})\,\|\,p_\theta(\mathbf{z}|\mathbf{x})\big)$ with
$\mathcal{F} = \int q_\phi(\mathbf{z}|\mathbf{x}) \log p_\theta(\mathbf{x}|\mathbf{z})\,d\mathbf{z} - \int q_\phi(\mathbf{z}|\mathbf{x}) \log \frac{q_\phi(\mathbf{z}|\mathbf{x})}{p(\mathbf{z})}\,d\mathbf{z}$.
"""

EX1_ANSWER = r"""
### Problem 1 – answer

$\log p_\theta(\mathbf{x})$ does not depend on $\mathbf{z}$, so
$\mathcal{L} = \int q_\phi(\mathbf{z}|\mathbf{x}) \log p_\theta(\mathbf{x})\,d\mathbf{z}$. With Bayes,
$p_\theta(\mathbf{x}) = \frac{p_\theta(\mathbf{x}|\mathbf{z})\,p(\mathbf{z})}{p_\theta(\mathbf{z}|\mathbf{x})}$, and multiplying and dividing by
$q_\phi(\mathbf{z}|\mathbf{x})$ inside the logarithm:
$$\mathcal{L} = \int q_\phi(\mathbf{z}|\mathbf{x}) \log\left[\frac{p_\theta(\mathbf{x}|\mathbf{z})\,p(\mathbf{z})}{q_\phi(\mathbf{z}|\mathbf{x})}\cdot\frac{q_\phi(\mathbf{z}|\mathbf{x})}{p_\theta(\mathbf{z}|\mathbf{x})}\right]d\mathbf{z}
= \underbrace{\int q_\phi \log p_\theta(\mathbf{x}|\mathbf{z})\,d\mathbf{z} - \int q_\phi \log\frac{q_\phi(\mathbf{z}|\mathbf{x})}{p(\mathbf{z})}\,d\mathbf{z}}_{\mathcal{F}}
+ \underbrace{\int q_\phi \log\frac{q_\phi(\mathbf{z}|\mathbf{x})}{p_\theta(\mathbf{z}|\mathbf{x})}\,d\mathbf{z}}_{D_{KL}(q_\phi(\mathbf{z}|\mathbf{x})\,\|\,p_\theta(\mathbf{z}|\mathbf{x}))}.$$
Since $D_{KL} \ge 0$, $\mathcal{F} \le \mathcal{L}$, with equality iff $q_\phi(\mathbf{z}|\mathbf{x}) = p_\theta(\mathbf{z}|\mathbf{x})$: the gap of the bound is
exactly the KL divergence between the approximate and the true posterior.
"""

EX2_MD = r"""
## Problem 2 – Variational autoencoders

After reading Kingma & Welling (2013) and Rezende, Mohamed & Wierstra (2014):
(i) the difference between variational and classical autoencoders; (ii) the reparameterization trick and why
it is essential for backpropagation; (iii) what happens if the latent space has more dimensions than the
input; (iv) is the $L_2$ loss a good or bad proxy for visual similarity of images?
"""

EX2_ANSWER = r"""
### Problem 2 – answers

(i) A classical autoencoder learns a deterministic code $y = f(x)$ and is trained only to reconstruct; its code
space has no probabilistic meaning and cannot be sampled. A VAE is a latent-variable generative model: the
encoder outputs a distribution $q_\phi(z|x)$ (e.g. a diagonal Gaussian), the decoder a likelihood $p_\theta(x|z)$, and
training maximises the ELBO = reconstruction term $-$ $D_{KL}(q_\phi(z|x)\,\|\,p(z))$, which regularises the codes towards
the prior, so new data can be generated by decoding $z \sim p(z)$.

(ii) Sampling $z \sim q_\phi(z|x)$ is not differentiable in $\phi$. Writing $z = \mu_\phi(x) + \sigma_\phi(x)\odot\varepsilon$ with
$\varepsilon \sim \mathcal{N}(0, I)$ moves the randomness into an input that does not depend on $\phi$; $z$ becomes a deterministic,
differentiable function of $\phi$, so the Monte-Carlo estimate of the ELBO can be backpropagated with low variance
(instead of the high-variance score-function estimator).

(iii) Nothing forces compression any more: a plain autoencoder can learn (close to) the identity and the code is
not useful. In a VAE, the KL term makes the superfluous latent dimensions collapse to the prior (they carry no
information, $q_\phi(z_i|x) \approx p(z_i)$); the model uses only as many dimensions as it needs.

(iv) Rather bad: $L_2$ compares pixels independently and assumes Gaussian noise. A one-pixel shift of an edge gives a
large $L_2$ error while looking the same, and averaging plausible images (blur) gives a small $L_2$ error while
looking wrong, hence the blurry reconstructions; perceptual or adversarial losses (or SSIM) match human
judgement better.
"""

EX3_MD = r"""
## Problem 3 – Autoencoder on MNIST in TensorFlow

An encoder $y = s(W^2 s(W^1 x + b^1) + b^2)$ and a decoder $z = s(W^{2'} s(W^{1'} y + b^{1'}) + b^{2'})$, with the sigmoid $s$
at **every** layer, 256 then 128 hidden units. We work with batches of row vectors: `x` has shape `(N, 784)`
and a layer computes `tf.nn.sigmoid(tf.matmul(x, W) + b)` with `W` of shape `(n_in, n_out)`.

* `init_weights(sizes, method)` returns two dicts for `sizes = [784, 256, 128]` (or deeper, e.g.
  `[784, 256, 128, 64]`): `weights` with `encoder_h1, encoder_h2, …` of shapes `(784, 256), (256, 128), …` and
  `decoder_h1, decoder_h2, …` mirroring them (`(128, 256), (256, 784)`), and `biases` with `encoder_b1, …, decoder_b1, …`
  of the matching output sizes. `method="normal"`: every weight and bias drawn from $\mathcal{N}(0, 1)$ (the default of
  `tf.random.normal`, task 2). `method="xavier"`: weights with variance $2/(n_{in} + n_{out})$ (Glorot & Bengio; e.g. uniform
  on $\pm\sqrt{6/(n_{in}+n_{out})}$), biases zero (task 5). Return `tf.Variable`s.
* `encoder(x, weights, biases)` and `decoder(y, weights, biases)` use as many layers as the dicts hold.
* The losses of the sheet, averaged over the images of the batch (scalars):
  $L_{SE}(x, z) = \lVert x - z\rVert^2$ and $L_H(x, z) = -\sum_{k=1}^{784}[x_k\log z_k + (1 - x_k)\log(1 - z_k)]$ – a **sum** over the 784
  pixels of an image, then the mean over the images.

Tasks 3-6 each train one autoencoder with Adam (learning rate 0.001) and keep it: `trained_mse` (task 3: normal
initialisation, squared error), `trained_xent` (task 4: normal, cross-entropy), `trained_xavier` (task 5: Xavier,
cross-entropy) and `trained_deep` (task 6: Xavier, cross-entropy, one more hidden layer of 64 units).
"""

EX3_HYPER = r"""
learning_rate = 0.001
batch_size = 256
n_epochs = 3        # the sheet trains 20 epochs; 3 keep each training at a few seconds on a laptop CPU
"""

EX3_INIT = r"""
def init_weights(sizes, method="normal"):
    weights, biases = {}, {}
    mirrored = sizes[::-1]
    for i in range(len(sizes) - 1):
        for part, (n_in, n_out) in (("encoder", (sizes[i], sizes[i + 1])), ("decoder", (mirrored[i], mirrored[i + 1]))):
            if method == "normal":
                W = tf.random.normal((n_in, n_out))
                b = tf.random.normal((n_out,))
            elif method == "xavier":
                W = tf.random.normal((n_in, n_out), stddev=np.sqrt(2.0 / (n_in + n_out)))
                b = tf.zeros((n_out,))
            else:
                raise ValueError(f"unknown initialisation {method!r}")
            weights[f"{part}_h{i + 1}"] = tf.Variable(W)
            biases[f"{part}_b{i + 1}"] = tf.Variable(b)
    return weights, biases
"""

EX3_MODEL = r"""
def _layers(x, weights, biases, part):
    i = 1
    while f"{part}_h{i}" in weights:
        x = tf.nn.sigmoid(tf.matmul(x, weights[f"{part}_h{i}"]) + biases[f"{part}_b{i}"])
        i += 1
    return x


def encoder(x, weights, biases):
    return _layers(x, weights, biases, "encoder")


def decoder(y, weights, biases):
    return _layers(y, weights, biases, "decoder")
"""

EX3_LOSSES = r"""
def mse_loss(x, z):
    # the sheet's L_SE = ||x - z||^2 per image, averaged over the batch
    return tf.reduce_mean(tf.reduce_sum(tf.square(x - z), axis=1))


def cross_entropy_loss(x, z, eps=1e-7):
    # the sheet's L_H, summed over the pixels of an image, averaged over the batch; z is clipped so log(0) never happens
    z = tf.clip_by_value(z, eps, 1 - eps)
    return tf.reduce_mean(-tf.reduce_sum(x * tf.math.log(z) + (1 - x) * tf.math.log(1 - z), axis=1))
"""

EX3_TRAIN = r"""
def train(sizes, method, loss_fn, seed=10):
    tf.random.set_seed(seed)
    rng = np.random.default_rng(seed)
    weights, biases = init_weights(sizes, method)
    variables = list(weights.values()) + list(biases.values())
    optimizer = tf.keras.optimizers.Adam(learning_rate)

    @tf.function
    def train_step(batch):
        with tf.GradientTape() as tape:
            loss = loss_fn(batch, decoder(encoder(batch, weights, biases), weights, biases))
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    start = time.time()
    for epoch in range(n_epochs):
        order = rng.permutation(len(X_train))
        for i in range(0, len(X_train) - batch_size + 1, batch_size):
            loss = train_step(tf.constant(X_train[order[i : i + batch_size]]))
        print(f"  epoch {epoch + 1}/{n_epochs}: last batch loss {float(loss):.2f}")
    test_z = decoder(encoder(X_test, weights, biases), weights, biases)
    print(f"  {time.time() - start:.1f} s; test loss {float(loss_fn(X_test, test_z)):.2f}")
    return weights, biases


def show_reconstructions(trained, n=8):
    # top: test images, bottom: their reconstructions
    weights, biases = trained
    z = decoder(encoder(X_test[:n], weights, biases), weights, biases).numpy()
    display(Image(image_grid_png([X_test[:n], z], image_shape=(28, 28), scale=2)))
"""

EX3_TASK3 = r"""
# Task 3: normal initialisation, squared error
trained_mse = train([784, 256, 128], "normal", mse_loss)
show_reconstructions(trained_mse)
"""

EX3_TASK4 = r"""
# Task 4: normal initialisation, cross-entropy
trained_xent = train([784, 256, 128], "normal", cross_entropy_loss)
show_reconstructions(trained_xent)
"""

EX3_TASK5 = r"""
# Task 5: Xavier initialisation, cross-entropy
trained_xavier = train([784, 256, 128], "xavier", cross_entropy_loss)
show_reconstructions(trained_xavier)
"""

EX3_TASK6 = r"""
# Task 6: one more hidden layer of 64 units
trained_deep = train([784, 256, 128, 64], "xavier", cross_entropy_loss)
show_reconstructions(trained_deep)
"""

EX3_OBSERVATIONS = r"""
### Observations

With $\mathcal{N}(0, 1)$ weights the pre-activations of the 784-input layer have a standard deviation of about
$\sqrt{784 \cdot 0.1} \approx 9$: most sigmoids saturate, their gradients vanish, and in a few epochs both normal-initialised
models reconstruct little more than an average digit (the squared-error one is the blurriest). Xavier initialisation
keeps the pre-activations in the sigmoid's sensitive range: the same training budget gives clearly recognisable
digits and a much lower cross-entropy. The deeper model compresses to 64 numbers instead of 128 and trains a
little more slowly, so its reconstructions are slightly blurrier after the same number of epochs.
"""


def reference_cells() -> list[Cell]:
    return [
        md("intro", INTRO),
        code("setup", SETUP),
        code("data", DATA),
        md("ex1-md", EX1_MD, "ex1"),
        md("ex1-answer", EX1_ANSWER, "ex1"),
        md("ex2-md", EX2_MD, "ex2"),
        md("ex2-answer", EX2_ANSWER, "ex2"),
        md("ex3-md", EX3_MD, "ex3"),
        code("ex3-hyper", EX3_HYPER, "ex3"),
        code("ex3-init", EX3_INIT, "ex3"),
        code("ex3-model", EX3_MODEL, "ex3"),
        code("ex3-losses", EX3_LOSSES, "ex3"),
        code("ex3-train", EX3_TRAIN, "ex3"),
        code("ex3-task3", EX3_TASK3, "ex3"),
        code("ex3-task4", EX3_TASK4, "ex3"),
        code("ex3-task5", EX3_TASK5, "ex3"),
        code("ex3-task6", EX3_TASK6, "ex3"),
        md("ex3-observations", EX3_OBSERVATIONS, "ex3"),
    ]


# ------------------------------------------------------------------------------------------------
# Student template
# ------------------------------------------------------------------------------------------------

TEMPLATE_REPLACEMENTS = {
    "ex1-answer": r"""
### Problem 1 – answer

YOUR ANSWER HERE
""",
    "ex2-answer": r"""
### Problem 2 – answers

(i) YOUR ANSWER HERE

(ii) YOUR ANSWER HERE

(iii) YOUR ANSWER HERE

(iv) YOUR ANSWER HERE
""",
    "ex3-init": r"""
def init_weights(sizes, method="normal"):
    # sizes = [784, 256, 128] (or deeper): returns (weights, biases), two dicts of tf.Variable
    # weights: encoder_h1 (784, 256), encoder_h2 (256, 128), ..., decoder_h1 (128, 256), decoder_h2 (256, 784), ...
    # biases:  encoder_b1 (256,), encoder_b2 (128,), ..., decoder_b1 (256,), decoder_b2 (784,), ...
    # method="normal": N(0, 1) everywhere (tf.random.normal); method="xavier": see task 5
    weights, biases = {}, {}
    # YOUR CODE HERE
    raise NotImplementedError
    return weights, biases
""",
    "ex3-model": r"""
def encoder(x, weights, biases):
    # x: (N, 784) -> (N, sizes[-1]); sigmoid at every layer, as many layers as the dicts hold
    # YOUR CODE HERE
    raise NotImplementedError


def decoder(y, weights, biases):
    # y: (N, sizes[-1]) -> (N, 784); sigmoid at every layer
    # YOUR CODE HERE
    raise NotImplementedError
""",
    "ex3-losses": r"""
def mse_loss(x, z):
    # L_SE(x, z) = ||x - z||^2 per image (sum over the 784 pixels), averaged over the batch: a scalar
    # YOUR CODE HERE
    raise NotImplementedError


def cross_entropy_loss(x, z):
    # L_H(x, z) = -sum_k [x_k log z_k + (1 - x_k) log(1 - z_k)] per image, averaged over the batch: a scalar
    # (z may be exactly 0 or 1 in float32: keep the logarithms finite)
    # YOUR CODE HERE
    raise NotImplementedError
""",
    "ex3-train": r"""
def train(sizes, method, loss_fn, seed=10):
    tf.random.set_seed(seed)
    rng = np.random.default_rng(seed)
    weights, biases = init_weights(sizes, method)
    variables = list(weights.values()) + list(biases.values())
    optimizer = tf.keras.optimizers.Adam(learning_rate)

    @tf.function
    def train_step(batch):
        # reconstruct the batch, compute loss_fn(batch, reconstruction) inside a tf.GradientTape,
        # apply the gradients to the variables with the optimizer, return the loss
        # YOUR CODE HERE
        raise NotImplementedError

    start = time.time()
    for epoch in range(n_epochs):
        order = rng.permutation(len(X_train))
        for i in range(0, len(X_train) - batch_size + 1, batch_size):
            loss = train_step(tf.constant(X_train[order[i : i + batch_size]]))
        print(f"  epoch {epoch + 1}/{n_epochs}: last batch loss {float(loss):.2f}")
    test_z = decoder(encoder(X_test, weights, biases), weights, biases)
    print(f"  {time.time() - start:.1f} s; test loss {float(loss_fn(X_test, test_z)):.2f}")
    return weights, biases


def show_reconstructions(trained, n=8):
    # top: test images, bottom: their reconstructions
    weights, biases = trained
    z = decoder(encoder(X_test[:n], weights, biases), weights, biases).numpy()
    display(Image(image_grid_png([X_test[:n], z], image_shape=(28, 28), scale=2)))
""",
    "ex3-task4": r"""
# Task 4: normal initialisation, cross-entropy -> trained_xent
# YOUR CODE HERE
""",
    "ex3-task5": r"""
# Task 5: Xavier initialisation, cross-entropy -> trained_xavier
# YOUR CODE HERE
""",
    "ex3-task6": r"""
# Task 6: one more hidden layer of 64 units -> trained_deep
# YOUR CODE HERE
""",
    "ex3-observations": r"""
### Observations

*Compare the reconstructions of tasks 3-6 and explain the differences.*

YOUR ANSWER HERE
""",
}


def template_cells() -> list[Cell]:
    return derive(reference_cells(), TEMPLATE_REPLACEMENTS)


# ------------------------------------------------------------------------------------------------
# Samples (student id = file name)
# ------------------------------------------------------------------------------------------------


def sample_alt_correct():
    """Correct, written differently: uniform Xavier, layers from sorted keys, tf.norm and log-sigmoid-free
    losses with a different epsilon, a generic builder for the deep model, another seed and batch size."""
    cells = reference_cells()
    replace(cells, "ex3-hyper", r"""
learning_rate = 0.001
batch_size = 200
n_epochs = 3
""")
    replace(cells, "ex3-init", r"""
def xavier(n_in, n_out):
    limit = np.sqrt(6.0 / (n_in + n_out))
    return tf.random.uniform((n_in, n_out), minval=-limit, maxval=limit)


def init_weights(sizes, method="normal"):
    n_layers = len(sizes) - 1
    shapes = {}
    for i in range(n_layers):
        shapes[f"encoder_h{i + 1}"] = (sizes[i], sizes[i + 1])
        shapes[f"decoder_h{i + 1}"] = (sizes[n_layers - i], sizes[n_layers - i - 1])
    weights, biases = {}, {}
    for name, (n_in, n_out) in shapes.items():
        bias_name = name.replace("_h", "_b")
        if method == "xavier":
            weights[name] = tf.Variable(xavier(n_in, n_out), name=name)
            biases[bias_name] = tf.Variable(tf.zeros([n_out]), name=bias_name)
        else:
            weights[name] = tf.Variable(tf.random.normal([n_in, n_out], mean=0.0, stddev=1.0), name=name)
            biases[bias_name] = tf.Variable(tf.random.normal([n_out]), name=bias_name)
    return weights, biases
""")
    replace(cells, "ex3-model", r"""
def run_layers(h, weights, biases, prefix):
    names = sorted((k for k in weights if k.startswith(prefix + "_h")), key=lambda k: int(k.split("_h")[1]))
    for name in names:
        h = tf.sigmoid(h @ weights[name] + biases[name.replace("_h", "_b")])
    return h


def encoder(x, weights, biases):
    return run_layers(x, weights, biases, "encoder")


def decoder(y, weights, biases):
    return run_layers(y, weights, biases, "decoder")
""")
    replace(cells, "ex3-losses", r"""
def mse_loss(x, z):
    return tf.reduce_mean(tf.norm(x - z, axis=-1) ** 2)


def cross_entropy_loss(x, z):
    per_pixel = x * tf.math.log(z + 1e-7) + (1.0 - x) * tf.math.log(1.0 - z + 1e-7)
    return -tf.reduce_mean(tf.reduce_sum(per_pixel, axis=-1))
""")
    edit(cells, "ex3-task3", 'trained_mse = train([784, 256, 128], "normal", mse_loss)', 'trained_mse = train([784, 256, 128], "normal", mse_loss, seed=3)')
    replace(cells, "ex3-task6", r"""
deep_sizes = [784, 256, 128, 64]
trained_deep = train(deep_sizes, "xavier", cross_entropy_loss, seed=7)
print({name: tuple(w.shape) for name, w in trained_deep[0].items()})
show_reconstructions(trained_deep)
""")
    return cells


def sample_mean_over_pixels():
    """Both losses average over the pixels too (tf.reduce_mean of everything): 784 times smaller than the sheet's."""
    cells = reference_cells()
    edit(cells, "ex3-losses", "return tf.reduce_mean(tf.reduce_sum(tf.square(x - z), axis=1))", "return tf.reduce_mean(tf.square(x - z))")
    edit(cells, "ex3-losses", "return tf.reduce_mean(-tf.reduce_sum(x * tf.math.log(z) + (1 - x) * tf.math.log(1 - z), axis=1))",
         "return -tf.reduce_mean(x * tf.math.log(z) + (1 - x) * tf.math.log(1 - z))")
    return cells


def sample_log_epsilon_too_small():
    """cross_entropy_loss guards log(0) with + 1e-10, which vanishes next to 1 in float32: sigmoids saturated
    by N(0, 1) weights give log(0), NaN gradients, and trained_xent ends up NaN (Xavier-initialised models survive)."""
    cells = reference_cells()
    replace(cells, "ex3-losses", EX3_LOSSES.replace(
        "def cross_entropy_loss(x, z, eps=1e-7):", "def cross_entropy_loss(x, z, eps=1e-10):").replace(
        "    z = tf.clip_by_value(z, eps, 1 - eps)\n    return tf.reduce_mean(-tf.reduce_sum(x * tf.math.log(z) + (1 - x) * tf.math.log(1 - z), axis=1))",
        "    return tf.reduce_mean(-tf.reduce_sum(x * tf.math.log(z + eps) + (1 - x) * tf.math.log(1 - z + eps), axis=1))"))
    assert "1 - z + eps" in cells[[c.key for c in cells].index("ex3-losses")].source
    return cells


def sample_xavier_variance_as_std():
    """Xavier with the variance used as the standard deviation (sqrt forgotten): weights far too small."""
    cells = reference_cells()
    edit(cells, "ex3-init", "stddev=np.sqrt(2.0 / (n_in + n_out))", "stddev=2.0 / (n_in + n_out)")
    return cells


def sample_linear_output():
    """The decoder's last layer has no sigmoid (a linear output, as in many regression nets)."""
    cells = reference_cells()
    replace(cells, "ex3-model", r"""
def _layers(x, weights, biases, part, last_linear=False):
    n = sum(1 for key in weights if key.startswith(part + "_h"))
    for i in range(1, n + 1):
        x = tf.matmul(x, weights[f"{part}_h{i}"]) + biases[f"{part}_b{i}"]
        if not (last_linear and i == n):
            x = tf.nn.sigmoid(x)
    return x


def encoder(x, weights, biases):
    return _layers(x, weights, biases, "encoder")


def decoder(y, weights, biases):
    return _layers(y, weights, biases, "decoder", last_linear=True)
""")
    return cells


def sample_untrained():
    """Epochs set to 0 while debugging and never set back: the four models are random."""
    cells = reference_cells()
    edit(cells, "ex3-hyper", "n_epochs = 3 ", "n_epochs = 0 ")
    return cells


def sample_no_extra_layer():
    """Task 6 reuses the task 5 sizes: no 64-unit layer."""
    cells = reference_cells()
    edit(cells, "ex3-task6", "train([784, 256, 128, 64],", "train([784, 256, 128],")
    return cells


def sample_crash_in_init():
    """The init_weights cell raises at definition time (a helper that is never imported); everything after
    that needs init_weights fails too, but encoder, decoder and the losses are still defined."""
    cells = reference_cells()
    edit(cells, "ex3-init", "def init_weights(sizes, method=\"normal\"):", "DEFAULT_STD = math.sqrt(1.0)\n\n\ndef init_weights(sizes, method=\"normal\"):")
    return cells


def sample_identity_decoder():
    """Hostile: untrained models, and an encoder/decoder pair that hands a 784-pixel batch straight through.

    Sandbox-side reconstructions would be perfect (loss 0); the grader rebuilds them from the weights instead,
    so the four reconstruction checks earn nothing. The forward checks (grader inputs of other sizes) still pass.
    """
    cells = reference_cells()
    edit(cells, "ex3-hyper", "n_epochs = 3 ", "n_epochs = 0 ")
    edit(cells, "ex3-model", "def encoder(x, weights, biases):\n    return _layers(x, weights, biases, \"encoder\")",
         "def encoder(x, weights, biases):\n"
         "    if x.shape[-1] == 784:\n"
         "        return x  # keep the image: the decoder gives it back\n"
         "    return _layers(x, weights, biases, \"encoder\")")
    edit(cells, "ex3-model", "def decoder(y, weights, biases):\n    return _layers(y, weights, biases, \"decoder\")",
         "def decoder(y, weights, biases):\n"
         "    if y.shape[-1] == 784:\n"
         "        return y\n"
         "    return _layers(y, weights, biases, \"decoder\")")
    return cells


def sample_deep_separate_functions():
    """encoder/decoder hard-wired to 2 layers; task 6 trains the deep model with its own 3-layer functions.

    One slip (ex3-depth): the deep model's reconstruction is measured from its weights by the grader's forward
    pass and its bottleneck read from the weight shapes, so neither fails because of the 2-layer functions.
    """
    cells = reference_cells()
    replace(cells, "ex3-model", r"""
def encoder(x, weights, biases):
    h = tf.nn.sigmoid(tf.matmul(x, weights["encoder_h1"]) + biases["encoder_b1"])
    return tf.nn.sigmoid(tf.matmul(h, weights["encoder_h2"]) + biases["encoder_b2"])


def decoder(y, weights, biases):
    h = tf.nn.sigmoid(tf.matmul(y, weights["decoder_h1"]) + biases["decoder_b1"])
    return tf.nn.sigmoid(tf.matmul(h, weights["decoder_h2"]) + biases["decoder_b2"])


def encoder3(x, weights, biases):
    h = encoder(x, weights, biases)
    return tf.nn.sigmoid(tf.matmul(h, weights["encoder_h3"]) + biases["encoder_b3"])


def decoder3(y, weights, biases):
    h = tf.nn.sigmoid(tf.matmul(y, weights["decoder_h1"]) + biases["decoder_b1"])
    h = tf.nn.sigmoid(tf.matmul(h, weights["decoder_h2"]) + biases["decoder_b2"])
    return tf.nn.sigmoid(tf.matmul(h, weights["decoder_h3"]) + biases["decoder_b3"])
""")
    edit(cells, "ex3-train", "def train(sizes, method, loss_fn, seed=10):", "def train(sizes, method, loss_fn, seed=10, encode=None, decode=None):\n    encode, decode = encode or encoder, decode or decoder")
    edit(cells, "ex3-train", "decoder(encoder(batch, weights, biases), weights, biases)", "decode(encode(batch, weights, biases), weights, biases)")
    edit(cells, "ex3-train", "decoder(encoder(X_test, weights, biases), weights, biases)", "decode(encode(X_test, weights, biases), weights, biases)")
    edit(cells, "ex3-train", "def show_reconstructions(trained, n=8):", "def show_reconstructions(trained, n=8, encode=None, decode=None):\n    encode, decode = encode or encoder, decode or decoder")
    edit(cells, "ex3-train", "decoder(encoder(X_test[:n], weights, biases), weights, biases)", "decode(encode(X_test[:n], weights, biases), weights, biases)")
    edit(cells, "ex3-task6", "train([784, 256, 128, 64], \"xavier\", cross_entropy_loss)", "train([784, 256, 128, 64], \"xavier\", cross_entropy_loss, encode=encoder3, decode=decoder3)")
    edit(cells, "ex3-task6", "show_reconstructions(trained_deep)", "show_reconstructions(trained_deep, encode=encoder3, decode=decoder3)")
    return cells


SAMPLES = {
    "reference": reference_cells,
    "deep_separate_functions": sample_deep_separate_functions,
    "identity_decoder": sample_identity_decoder,
    "alt_correct": sample_alt_correct,
    "mean_over_pixels": sample_mean_over_pixels,
    "log_epsilon_too_small": sample_log_epsilon_too_small,
    "xavier_variance_as_std": sample_xavier_variance_as_std,
    "linear_output": sample_linear_output,
    "untrained": sample_untrained,
    "no_extra_layer": sample_no_extra_layer,
    "crash_in_init": sample_crash_in_init,
    "untouched_template": template_cells,
}


def main() -> None:
    write(with_self_checks(template_cells(), "series10-autoencoder"), TEMPLATE_PATH, REPO)
    write(reference_cells(), REFERENCE_PATH, REPO)
    for student, make in SAMPLES.items():
        write(make(), SAMPLES_DIR / f"{student}.ipynb", REPO)


if __name__ == "__main__":
    main()
