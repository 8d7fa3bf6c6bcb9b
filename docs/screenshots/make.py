"""Make docs/screenshots/dashboard.png and report.png from a realistic PW06 batch, rendered by the grader's reports.

    python docs/screenshots/make.py            # needs Debian's chromium (apt-get install -y chromium)

The batch is built here as SubmissionResult objects (30 students, the PW06 rubric's checks, seeded), with
figures made the way grader code would make them on the host: MNIST digits beside noisy reconstructions
(PNG, from the packaged MNIST test set) and a confusion matrix (SVG).
"""

from __future__ import annotations

import base64
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

from grader.datasets import mnist
from grader.lms.roster import Roster, RosterEntry
from grader.reports import write_dashboard, write_student_reports
from grader.results import CellExcerpt, CellRecord, CellStatus, CheckResult, CheckStatus, Figure, RunRecord, RunStatus, SubmissionResult

HERE = Path(__file__).resolve().parent
TITLE = "PW06 - Deep learning frameworks: an MLP in TensorFlow 2 and in Keras"
CHECKS = [  # id, title, points, visibility, kind (as in rubrics/pw06-mlp.yaml)
    ("ex1-forward", "Ex 1: lr_forward_backward returns the logistic regression output (eq. 2)", 5, "public", "compare"),
    ("ex1-gradients", "Ex 1: gradients of y_hat w.r.t. w1, w2, b, x1, x2 match automatic differentiation", 10, "public", "compare"),
    ("ex1-graph", "Ex 1 a-c: computational graph, forward and backward pass with numbers (pen and paper)", 5, "hidden", "manual"),
    ("ex3-init-shapes", "Ex 3: init_params(D, H, K) creates tf.Variables W1 (D,H), b1 (H,), W2 (H,K), b2 (K,)", 5, "public", "test"),
    ("ex3-forward", "Ex 3: forward(params, X) computes sigmoid(relu(X W1 + b1) W2 + b2)", 10, "public", "compare"),
    ("ex3-mse", "Ex 3: mse_loss(Y, Y_hat) is the mean of the squared errors", 5, "public", "compare"),
    ("ex3-error-rate", "Ex 3: the trained MLP (params) has a test error rate of at most 12 %", 15, "hidden", "metric"),
    ("ex3-no-keras", "Ex 3: low-level TensorFlow only, no Keras", 10, "public", "static"),
    ("ex4-architecture", "Ex 4: keras_model is 784 -> Dense(H, relu) -> Dense(10, sigmoid or softmax)", 10, "public", "test"),
    ("ex4-error-rate", "Ex 4: the trained Keras model has a test error rate of at most 12 %", 10, "hidden", "metric"),
    ("ex4-comparison", "Ex 4: comparison of Ex 3 and Ex 4 (CPU time, accuracy) with a comment", 5, "hidden", "manual"),
    ("ex5-review", "Ex 5: review questions", 10, "hidden", "manual"),
]
NAMES = [
    "Jane Doe",
    "Bob Smith",
    "Carol Lee",
    "Dave Nguyen",
    "Eve Martin",
    "Farid Haddad",
    "Grace Kim",
    "Hugo Bernard",
    "Ines Costa",
    "Jonas Weber",
    "Kenji Sato",
    "Lena Fischer",
    "Marco Rossi",
    "Nora Ahmed",
    "Omar Farouk",
    "Paula Silva",
    "Quentin Roy",
    "Rosa Diaz",
    "Sven Larsen",
    "Tara Singh",
    "Ugo Moretti",
    "Vera Novak",
    "Wei Zhang",
    "Xavier Dubois",
    "Yara Haddad",
    "Zoe Clark",
    "Anna Berg",
    "Ben Okafor",
    "Chloe Petit",
    "Dan Levi",
]
TF_ERROR = (
    "InvalidArgumentError: Graph execution error:\n\nDetected at node 'MatMul' defined at (most recent call last):\n"
    "  File \"<cell>\", line 9, in forward\n    hidden = tf.nn.relu(tf.matmul(X, params['W2']) + params['b1'])\n"
    "Node: 'MatMul'\nMatrix size-incompatible: In[0]: [64,784], In[1]: [100,10]\n\t [[{{node MatMul}}]] [Op:__inference_train_step_812]"
)
FAILED_REASON = {
    "compare": "The values differ from the expected ones (max relative error 2.3).",
    "test": "W1 has shape (100, 784); expected (784, 100).",
    "static": "Cell 12 (ex3) uses tf.keras; Ex 3 asks for low-level TensorFlow.",
    "metric": "Test error rate 31.4 % on 10 000 evaluation images; at most 12 % needed.",
}
FAILING_SOURCE = """def forward(params, X):
    \"\"\"Two-layer MLP: ReLU hidden layer, sigmoid output.\"\"\"
    W1, b1 = params['W1'], params['b1']
    W2, b2 = params['W2'], params['b2']
    hidden = tf.nn.relu(tf.matmul(X, params['W2']) + params['b1'])
    return tf.sigmoid(tf.matmul(hidden, W2) + b2)

params = init_params(784, 100, 10)
for step in range(2000):
    train_step(params, X_train[step % 900 * 64:(step % 900 + 1) * 64], Y_train[step % 900 * 64:(step % 900 + 1) * 64])"""


def png(gray: np.ndarray) -> str:
    """A grayscale uint8 image as a base64 PNG (no imaging library needed)."""
    height, width = gray.shape
    rows = b"".join(b"\x00" + gray[y].tobytes() for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    return base64.b64encode(data).decode()


def reconstructions(rng: np.random.Generator) -> Figure:
    images = mnist.load_part("test_images", mnist.package_dir())[:8].astype(np.float64)
    noisy = np.clip(images * 0.85 + rng.normal(0, 28, images.shape), 0, 255)
    top, bottom = np.hstack(list(images)), np.hstack(list(noisy))
    grid = np.vstack([top, np.zeros((4, top.shape[1])), bottom]).astype(np.uint8)
    grid = np.kron(255 - grid, np.ones((3, 3))).astype(np.uint8)  # dark digits on white, three times larger
    return Figure(title="Reconstructions", caption="Top: evaluation images; bottom: what your model outputs for them.", png_base64=png(grid))


def confusion_svg(rng: np.random.Generator) -> Figure:
    matrix = np.diag(rng.integers(85, 99, 10)).astype(float) + rng.integers(0, 4, (10, 10)) * (1 - np.eye(10))
    matrix /= matrix.sum(axis=1, keepdims=True)
    cell = 22
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{cell * 11 + 10}" height="{cell * 11 + 10}" font-family="sans-serif" font-size="10">']
    for i in range(10):
        parts.append(f'<text x="{cell * (i + 1) + 7}" y="14">{i}</text><text x="6" y="{cell * (i + 1) + 15}">{i}</text>')
        for j in range(10):
            shade = int(255 - 215 * matrix[i, j])
            parts.append(f'<rect x="{cell * (j + 1)}" y="{cell * (i + 1)}" width="{cell - 1}" height="{cell - 1}" fill="rgb({shade},{shade},255)"/>')
    parts.append("</svg>")
    return Figure(title="Confusion matrix", caption="Rows: true digit; columns: your model's prediction (10 000 evaluation images).", svg="".join(parts))


def student_result(index: int, name: str, rng: np.random.Generator) -> tuple[SubmissionResult, RosterEntry]:
    student = f"{name.lower().replace(' ', '-')}-{1200 + index}"
    kind = "ok" if index % 7 not in (3, 5) else ("tf_error" if index % 7 == 3 else "timeout")
    if index == 11:
        kind = "unreadable"
    checks, cells = [], [CellRecord(index=i, status=CellStatus.ok, duration_s=float(rng.uniform(0.1, 3))) for i in range(6)]
    for check_id, title, possible, visibility, check_kind in CHECKS:
        if check_kind == "manual":
            checks.append(
                CheckResult(
                    check_id=check_id,
                    title=title,
                    kind=check_kind,
                    visibility=visibility,
                    points_possible=possible,
                    points_awarded=0,
                    status=CheckStatus.pending,
                    reason=f"A TA grades this by hand ({possible} points).",
                )
            )
            continue
        skill = rng.uniform(0.45, 1.0)
        broken = (kind == "tf_error" and check_id.startswith("ex3") and check_id not in ("ex3-init-shapes", "ex3-no-keras")) or (kind == "timeout" and check_id.startswith("ex4"))
        if kind == "unreadable":
            status, awarded, reason = CheckStatus.error, 0.0, "Not evaluated: the notebook could not be read."
        elif broken and kind == "tf_error":
            status, awarded, reason = CheckStatus.error, 0.0, "Not evaluated: your cell 9 (ex3) raised InvalidArgumentError: Matrix size-incompatible."
        elif broken:
            status, awarded, reason = CheckStatus.error, 0.0, "Not evaluated: the run was stopped after 450 s, its time limit, so this was never collected."
        elif skill > 0.62:
            status, awarded, reason = CheckStatus.passed, float(possible), "Matches the expected values." if check_kind == "compare" else "Passed."
        elif check_id == "ex1-gradients":
            status, awarded, reason = CheckStatus.partial, 6.0, "3 of 5 gradients match; d y_hat/d b and d y_hat/d x2 do not (max relative error 0.4)."
        else:
            status, awarded, reason = CheckStatus.failed, 0.0, FAILED_REASON[check_kind]
        figures = []
        if check_id == "ex3-error-rate" and status == CheckStatus.passed:
            reason = f"Test error rate {rng.uniform(2.1, 4.0):.1f} % on 10 000 evaluation images (at most 12 % needed)."
            figures = [reconstructions(rng), confusion_svg(rng)]
        hint = "Check the shapes: X is (N, 784), W1 is (784, H)." if check_kind == "compare" and status != CheckStatus.passed else None
        checks.append(
            CheckResult(
                check_id=check_id, title=title, kind=check_kind, visibility=visibility, points_possible=possible, points_awarded=awarded, status=status, reason=reason, hint=hint, figures=figures
            )
        )
    failing = None
    if kind == "tf_error":
        cells.append(CellRecord(index=8, tags=["ex3"], status=CellStatus.error, duration_s=2.0, error=TF_ERROR))
        failing = CellExcerpt(index=8, tags=["ex3"], source=FAILING_SOURCE, hidden_lines=0, error=TF_ERROR)
    run = RunRecord(status=RunStatus.completed, sandbox="local (namespaces)", cells=cells)
    if kind == "timeout":
        run = RunRecord(
            status=RunStatus.timeout,
            reason="the run was stopped after 450 s, its time limit",
            sandbox="local (namespaces)",
            cells=cells + [CellRecord(index=14, tags=["ex4"], status=CellStatus.timeout, duration_s=60, error="did not finish within 60 s and was interrupted")],
        )
    late = index in (4, 17, 23)
    earned = round(sum(c.points_awarded for c in checks), 4)
    penalty = round(earned * 0.1, 4) if late else 0.0
    result = SubmissionResult(
        student=student,
        assignment_id="pw06-mlp",
        notebook_path=f"results/.intake/pw06-mlp/{student}.ipynb",
        rubric_sha256="0" * 64,
        grader_version="0.1.0",
        graded=kind != "unreadable",
        error="pw06-mlp.ipynb: not a notebook (invalid JSON: Expecting value: line 1 column 1)" if kind == "unreadable" else None,
        score=round(earned - penalty, 4),
        max_score=100,
        pending_points=20,
        checks=checks,
        run=None if kind == "unreadable" else run,
        duration_s=round(float(rng.uniform(35, 140)) if kind != "timeout" else 452.0, 1),
        graded_at="2026-11-23T10:00:00+00:00",
        failing_cell=failing,
        days_late=1.0 if late else 0.0,
        late_penalty=penalty,
    )
    return result, RosterEntry(student=student, name=name, lms_user_id=str(1200 + index), late=late)


def screenshot(page: Path, target: Path, size: str) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium is not installed: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--screenshot={target}",
                f"--window-size={size}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main() -> None:
    rng = np.random.default_rng(6)
    pairs = [student_result(index, name, rng) for index, name in enumerate(NAMES)]
    results = [result for result, _ in pairs]
    roster = Roster(lms="moodle", source="PW06-download.zip", students={entry.student: entry for _, entry in pairs})
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "pw06-mlp"
        for result in results:
            write_student_reports(result, folder, TITLE)
        dashboard = write_dashboard(results, folder, TITLE, roster)
        screenshot(dashboard, HERE / "dashboard.png", "1280,1700")
        shown = next(r for r in results if r.failing_cell)
        with_figures = next(r for r in results if any(c.figures for c in r.checks) and r.failing_cell is None)
        screenshot(folder / f"{with_figures.student}.html", HERE / "report.png", "1000,1650")
        screenshot(folder / f"{shown.student}.html", HERE / "report-failing-cell.png", "420,1400")
    print(f"wrote {HERE / 'dashboard.png'}, {HERE / 'report.png'} and {HERE / 'report-failing-cell.png'}")


if __name__ == "__main__":
    main()
