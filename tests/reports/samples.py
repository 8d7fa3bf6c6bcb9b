"""A small, fixed batch of results (and its LMS roster) for report and export tests: every path a report takes."""

from __future__ import annotations

import base64
import struct
import zlib

from grader.lms.roster import Roster, RosterEntry
from grader.results import CellExcerpt, CellRecord, CellStatus, CheckResult, CheckStatus, Figure, RunRecord, RunStatus, SubmissionResult


def tiny_png(width: int = 4, height: int = 4) -> str:
    """A real PNG (grey gradient), base64-encoded, made without any imaging library."""
    rows = b"".join(b"\x00" + bytes((x * 60 + y * 20) % 256 for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><script>alert(1)</script><rect width="120" height="40" fill="#3b6fb6"/></svg>'


def check(check_id, title, possible, awarded, status, reason, visibility="public", kind="compare", hint=None, figures=()):
    return CheckResult(
        check_id=check_id, title=title, kind=kind, visibility=visibility, points_possible=possible, points_awarded=awarded, status=status, reason=reason, hint=hint, figures=list(figures)
    )


def result(student, checks, run=None, graded=True, error=None, duration=12.5, failing=None, days_late=0.0, late_penalty=0.0, assignment="pw06-mlp"):
    earned = sum(c.points_awarded for c in checks)
    return SubmissionResult(
        student=student,
        assignment_id=assignment,
        notebook_path=f"/course/submissions/{student}.ipynb",
        notebook_sha256="0" * 64,
        rubric_sha256="1" * 64,
        grader_version="0.1.0",
        graded=graded,
        error=error,
        score=round(earned - late_penalty, 4),
        max_score=20,
        pending_points=sum(c.points_possible for c in checks if c.status == CheckStatus.pending),
        checks=checks,
        run=run,
        duration_s=duration,
        graded_at="2026-11-23T10:00:00+00:00",
        failing_cell=failing,
        days_late=days_late,
        late_penalty=late_penalty,
    )


def completed(*cells):
    return RunRecord(status=RunStatus.completed, sandbox="local (namespaces)", cells=list(cells), timings={"total": 10.0})


def sample_results() -> list[SubmissionResult]:
    """Four students: full marks with figures, a failing TF cell (late), a timeout, an unreadable notebook."""
    figures = [
        Figure(title="Reconstructions", caption="Top: yours; bottom: the reference's.", png_base64=tiny_png()),
        Figure(title="Loss curve", svg=SVG),
    ]
    alice = result(
        "doejane-1234",
        [
            check("ex1-forward", "Ex 1: forward pass", 5, 5, CheckStatus.passed, "y_hat matches (max error 1e-7).", figures=figures),
            check("ex3-accuracy", "Ex 3: test accuracy above 95 %", 10, 10, CheckStatus.passed, "Accuracy 97.8 % on 10 000 evaluation images.", visibility="hidden", kind="metric"),
            check("ex5-review", "Ex 5: review questions", 5, 0, CheckStatus.pending, "A TA grades this by hand (5 points).", visibility="hidden", kind="manual"),
        ],
        run=completed(CellRecord(index=0, status=CellStatus.ok, duration_s=1.0)),
        duration=31.2,
    )
    error = (
        "InvalidArgumentError: Graph execution error:\n\nDetected at node 'dense/MatMul' defined at (most recent call last):\n"
        "  File \"<cell>\", line 4, in forward\n    return tf.matmul(X, W1)\nNode: 'dense/MatMul'\n"
        "Matrix size-incompatible: In[0]: [32,784], In[1]: [100,10]\n\t [[{{node dense/MatMul}}]] [Op:__inference_train_function_812]"
    )
    bob = result(
        "smithbob-2345",
        [
            check("ex1-forward", "Ex 1: forward pass", 5, 5, CheckStatus.passed, "y_hat matches."),
            check("ex3-accuracy", "Ex 3: test accuracy above 95 %", 10, 0, CheckStatus.error, "Not evaluated: your cell 3 (ex3) raised InvalidArgumentError.", visibility="hidden", kind="metric"),
            check("ex5-review", "Ex 5: review questions", 5, 0, CheckStatus.pending, "A TA grades this by hand (5 points).", visibility="hidden", kind="manual"),
        ],
        run=completed(CellRecord(index=2, tags=["ex3"], status=CellStatus.error, duration_s=3.1, error=error)),
        failing=CellExcerpt(
            index=2, tags=["ex3"], source="def forward(params, X):\n    W1 = params['W1']\n    # <script>alert('x')</script>\n    return tf.matmul(X, W1)", hidden_lines=12, error=error
        ),
        days_late=2,
        late_penalty=0.5,
        duration=18.0,
    )
    carol = result(
        "leecarol-3456",
        [
            check("ex1-forward", "Ex 1: forward pass", 5, 2.5, CheckStatus.partial, "Half of the values match.", hint="Apply the sigmoid last."),
            check(
                "ex3-accuracy",
                "Ex 3: test accuracy above 95 %",
                10,
                0,
                CheckStatus.error,
                "Not evaluated: the run was stopped after 450 s, its time limit, so this was never collected.",
                visibility="hidden",
                kind="metric",
            ),
            check("ex5-review", "Ex 5: review questions", 5, 0, CheckStatus.pending, "A TA grades this by hand (5 points).", visibility="hidden", kind="manual"),
        ],
        run=RunRecord(
            status=RunStatus.timeout,
            reason="the run was stopped after 450 s, its time limit",
            sandbox="local (namespaces)",
            cells=[CellRecord(index=4, tags=["ex3"], status=CellStatus.timeout, duration_s=60, error="did not finish within 60 s and was interrupted")],
        ),
        duration=452.3,
    )
    dave = result(
        "nguyendave-4567",
        [
            check("ex1-forward", "Ex 1: forward pass", 5, 0, CheckStatus.error, "Not evaluated: the notebook could not be read."),
            check("ex3-accuracy", "Ex 3: test accuracy above 95 %", 10, 0, CheckStatus.error, "Not evaluated: the notebook could not be read.", visibility="hidden", kind="metric"),
            check("ex5-review", "Ex 5: review questions", 5, 0, CheckStatus.error, "Not evaluated: the notebook could not be read.", visibility="hidden", kind="manual"),
        ],
        graded=False,
        error="pw06-mlp.ipynb: not a notebook (invalid JSON: Expecting value: line 1 column 1 (char 0))",
        duration=0.1,
    )
    return [alice, bob, carol, dave]


def sample_roster(lms: str = "canvas") -> Roster:
    """The batch's identities as intake would record them from a Canvas or Moodle download."""
    people = [
        ("doejane-1234", "Jane Doe", "doejane", "1234", False),
        ("smithbob-2345", "Bob Smith", "smithbob", "2345", True),
        ("leecarol-3456", "Carol Lee", "leecarol", "3456", False),
        ("nguyendave-4567", "Dave Nguyễn", "nguyendave", "4567", False),
    ]
    students = {}
    for student, name, login, user_id, late in people:
        students[student] = RosterEntry(
            student=student,
            name=name if lms == "moodle" else None,
            login=login if lms == "canvas" else None,
            lms_user_id=user_id,
            email=f"{login}@uni.example" if lms == "moodle" else None,
            late=late,
            days_late=2 if late else None,
            submission_id="9" + user_id if lms == "canvas" else None,
            files=["pw06-mlp.ipynb"],
            notebook="pw06-mlp.ipynb",
        )
    return Roster(lms=lms, source="submissions.zip", students=students)
