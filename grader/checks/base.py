"""What every check kind shares: the rubric fields, the evidence a judge sees, and scoring.

A check kind is a pydantic model with ``kind: Literal[...]`` and one method, ``evaluate``, that runs
*outside* the sandbox on evidence: probe data that came out of the sandbox (plain numbers and arrays,
already parsed and size-capped), the grader-held part of the probe inputs (e.g. labels), the reference
solution's probe data, and the submitted notebook's source. It returns a ``Verdict``; raising
``CheckNotRun`` means the check could not be judged, which earns 0 with the reason given.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from grader.execution.artifacts import ProbeData  # the type that crosses the sandbox boundary lives beside its reader
from grader.results import CellRecord, CellStatus, CheckResult, CheckStatus

REASON_CHARS = 2000

# TensorFlow's error classes (tf.errors.*): their messages name graph nodes and C++ internals, so a student
# sees what the error means for their code instead (the class name stays, for a search or a TA).
FRAMEWORK_ERRORS = {
    "InvalidArgumentError": "TensorFlow refused the values your code passed on: their shapes or types do not fit together",
    "ResourceExhaustedError": "TensorFlow ran out of memory",
    "FailedPreconditionError": "TensorFlow used a variable before it was initialized",
    "NotFoundError": "TensorFlow could not find a file, variable or operation your code names",
    "AlreadyExistsError": "TensorFlow was asked to create something that already exists",
    "OutOfRangeError": "a TensorFlow input ran out of data",
    "UnimplementedError": "TensorFlow does not support an operation your code uses on these values",
    "InternalError": "TensorFlow failed inside its own code on what your code gave it",
    "UnknownError": "TensorFlow failed on what your code gave it",
    "AbortedError": "TensorFlow aborted an operation of your code",
    "CancelledError": "TensorFlow cancelled an operation of your code",
    "DeadlineExceededError": "a TensorFlow operation of your code took too long",
    "DataLossError": "TensorFlow found corrupted data",
    "PermissionDeniedError": "TensorFlow was refused access to a file",
    "UnavailableError": "a TensorFlow service was unavailable",
}
# A raw error inside a reason: a TensorFlow class (module path optional), or any error whose message carries
# TensorFlow's graph-node or op annotations. It runs to the end of the reason or to the sentence the grader
# appends about the failing cells.
_RAW_ERROR = re.compile(
    r"(?P<raised>raised )?(?:[\w.]+\.)?(?P<name>" + "|".join(FRAMEWORK_ERRORS) + r")\b:?.*?(?=(?: Your cell \d| Your \w+ cell)|$)"
    r"|(?P<raised_other>raised )?(?P<other>\b[A-Z]\w*Error): (?=[^\n]*(?:\{\{node |\[Op:|Dimensions must be equal|Incompatible shapes))[^\n]*?(?=(?: Your cell \d| Your \w+ cell)|$)",
    re.DOTALL,
)


def plain_reason(reason: str, where: str) -> str:
    """The reason with any raw framework error replaced by a sentence; ``where`` names the check and cell."""

    def sentence(match: re.Match) -> str:
        raised = "raised an error: " if match.group("raised") or match.group("raised_other") else ""
        if match.group("name"):
            return f"{raised}{FRAMEWORK_ERRORS[match.group('name')]} ({match.group('name')}, {where})."
        return f"{raised}TensorFlow found shapes that do not fit together in what your code computed ({match.group('other')}, {where})."

    # Only the part a report can show is rewritten (result() cuts the rest): the pattern backtracks over
    # long runs of word characters, and a student's 500 KB string quoted in a reason held the grader for 8 min.
    head, tail = reason[:REASON_CHARS], reason[REASON_CHARS:]
    return _RAW_ERROR.sub(sentence, head) + tail


class CheckNotRun(Exception):
    """The check could not be judged (missing probe data, NaN, probe crash); the reason is for the student."""


class Feedback(BaseModel):
    """Texts shown to the student next to a check."""

    model_config = ConfigDict(extra="forbid")

    passed: str | None = Field(None, description="Shown when the check passes.")
    failed: str | None = Field(None, description="Shown when the check fails; say what is wrong and what was expected.")
    hint: str | None = Field(None, description="A hint shown to students for a public check that did not pass.")


@dataclass
class Evidence:
    """Everything a judge may look at for one submission."""

    probes: dict[str, ProbeData]  # by probe name, as parsed from the sandbox's output; read them with value()/probe()
    held: dict[str, dict[str, np.ndarray]]  # by probe: what its input maker kept (labels, held-out images)
    inputs: dict[str, dict[str, np.ndarray]]  # by probe: what its input maker sent
    reference: dict[str, ProbeData] | None
    code_cells: list[tuple[int, list[str], str]]  # (index, tags, source) of the submitted notebook
    cells: list[CellRecord]
    staff: ModuleType | None  # the rubric's judges.py

    def failing_cells(self, tag: str | None) -> str:
        """A sentence naming the student's cells (of one exercise tag, or any) that did not run cleanly."""
        # A dead kernel loses all state, so it explains a failure in any exercise, tagged or not.
        bad = [c for c in self.cells if c.status != CellStatus.ok and (tag is None or tag in c.tags or c.status == CellStatus.kernel_died)]
        if not bad:
            return ""
        first = bad[0]
        where = f"cell {first.index + 1}" + (f" ({', '.join(first.tags)})" if first.tags else "")
        what = {"timeout": "timed out", "kernel_died": f"stopped: {first.error}" if first.error else "killed the kernel", "skipped": "was skipped (time budget spent)"}
        detail = what.get(first.status.value, f"raised {first.error.rstrip(': ')}" if first.error else "failed")
        more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
        return f" Your {where}{more} {detail}."

    def code_cell(self, check: CheckBase) -> str:
        """Words naming the check and the cell of the submitted notebook that holds its exercise's code."""
        cell = next((index for index, tags, _ in self.code_cells if check.exercise and check.exercise in tags), None)
        return f"check {check.id}" + (f", your code in cell {cell + 1} ({check.exercise})" if cell is not None else "")

    def probe(self, name: str, check: CheckBase, source: dict[str, ProbeData] | None = None) -> ProbeData:
        """The probe's data (``.values``: key -> number, string or array); CheckNotRun with the reason when it did not run."""
        data = (self.probes if source is None else source).get(name)
        if data is None:
            raise CheckNotRun(f"The grader could not collect '{name}' from your notebook (the run ended before it).")
        if data.error is not None:  # i.e. not data.ok
            raise CheckNotRun(f"{data.error[0].upper()}{data.error[1:]}.{self.failing_cells(check.exercise)}")
        return data

    def value(self, probe: str, key: str, check: CheckBase) -> Any:
        """One value a probe returned; CheckNotRun naming the failing cell when the probe or the key is missing."""
        data = self.probe(probe, check)
        if key not in data.values:
            raise CheckNotRun(f"Your code did not produce '{key}' (probe {probe}).{self.failing_cells(check.exercise)}")
        return data.values[key]

    def reference_value(self, probe: str, key: str) -> Any:
        """The same value from the reference solution's run (a grader error, not the student's, when it is missing)."""
        if self.reference is None or probe not in self.reference or not self.reference[probe].ok:
            raise RuntimeError(f"the reference solution produced no '{probe}' data; run `grader validate`")
        return self.reference[probe].values[key]


@dataclass
class Verdict:
    """A judge's decision: the fraction of the points earned and why."""

    fraction: float
    reason: str
    measured: dict[str, Any] = field(default_factory=dict)
    figures: list = field(default_factory=list)  # grader.results.Figure, made on the host
    needs_review: bool = False  # the evidence cannot decide: a TA scores it (points pending, like a manual item)


_TF_IMPORT_LOCK = threading.Lock()


def import_tensorflow():
    """TensorFlow for host-side judges (e.g. autodiff formulas), imported without its start-up chatter.

    TF 2.x writes oneDNN/absl notices straight to file descriptor 2 at import, whatever
    TF_CPP_MIN_LOG_LEVEL says; a TA's terminal should show grading progress, not those.
    """
    import os

    with _TF_IMPORT_LOCK:  # worker threads judge at once; a half-imported module must never be seen
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        saved = os.dup(2)
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 2)
                import tensorflow
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    return tensorflow


def settle_dependencies(checks: list[CheckBase], verdicts: list[CheckResult]) -> list[CheckResult]:
    """Verdicts with each rubric ``needs`` applied: a check that failed where a check it needs failed too reports
    the dependency, and the rubric's ``withhold`` decides its points. Judged from the checks' own verdicts, so the
    order of the rubric and of judging never matters."""
    own = {verdict.check_id: verdict for verdict in verdicts}
    settled = []
    for check, verdict in zip(checks, verdicts):
        unmet = [own[name] for name in check.needs if name in own and own[name].status in (CheckStatus.failed, CheckStatus.partial, CheckStatus.error)]
        if not unmet or verdict.status in (CheckStatus.passed, CheckStatus.pending):
            settled.append(verdict)
            continue
        needed = unmet[0]
        # Kept points lean on the needed check having judged the work and charged it; one that could not run at
        # all (e.g. the function is still the template's stub) charged nothing this check could lean on.
        if check.withhold or needed.status == CheckStatus.error:
            reason = f"Depends on {needed.check_id} ({needed.title}), which did not pass, so these points are withheld until it does. On its own: {verdict.reason}"
            settled.append(verdict.model_copy(update={"points_awarded": 0.0, "status": CheckStatus.failed if verdict.status == CheckStatus.partial else verdict.status, "reason": reason}))
        else:
            reason = f"Depends on {needed.check_id} ({needed.title}), which already charges this mistake, so it is not charged again here. On its own: {verdict.reason}"
            settled.append(verdict.model_copy(update={"points_awarded": verdict.points_possible, "status": CheckStatus.passed, "reason": reason, "hint": None}))
    return settled


def finite_array(value: Any, what: str) -> np.ndarray:
    """The value as a float array, or CheckNotRun when it is not numeric or holds NaN/inf."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckNotRun(f"{what} is not numeric (got {type(value).__name__}).") from None
    if not np.all(np.isfinite(array)):
        raise CheckNotRun(f"{what} contains NaN or infinite values.")
    return array


def host_outputs(staff: ModuleType | None, function_name: str, values: dict[str, Any], held: dict[str, np.ndarray]) -> np.ndarray:
    """What a judges.py function computes here, with the grader's own forward pass, from a model's exported weights.

    Used by checks whose rubric says ``predict:``: no function of the student's is called on evaluation data.
    """
    function = getattr(staff, function_name, None)
    if function is None:
        raise RuntimeError(f"rubric: judges.py has no function {function_name!r}")
    try:
        outputs = function(values, held)
    except CheckNotRun:
        raise
    except (ArithmeticError, ValueError, TypeError, KeyError, IndexError) as problem:
        # The weights came from the student's code: odd shapes or types are the student's failure.
        raise CheckNotRun(f"The grader could not compute your model's outputs from its weights ({type(problem).__name__}: {problem}).") from None
    return np.asarray(outputs)


class CheckBase(BaseModel):
    """Fields every rubric check has."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    id: str = Field(description="Stable identifier of the check (used in results, gradebook and LMS exports).", pattern=r"^[A-Za-z0-9_.-]+$")
    title: str = Field(description="What is checked, in words a student understands.")
    points: float = Field(ge=0, description="Points the check is worth.")
    visibility: Literal["public", "hidden"] = Field("hidden", description="public checks run in `grader check` and show hints; hidden ones only when TAs grade.")
    exercise: str | None = Field(None, description="Cell tag of the exercise this check belongs to (e.g. ex3); used to point at the failing cell.")
    bonus: bool = Field(False, description="Optional work: its points add to the score but not to the maximum.")
    partial: bool = Field(False, description="Allow partial credit (points times the fraction the judge returns); otherwise all or nothing.")
    feedback: Feedback = Field(default_factory=Feedback, description="Texts for the student.")
    needs: list[str] = Field(
        default_factory=list,
        description="Ids of checks this one depends on. When one of them did not pass and this one does not pass either, this check reports 'depends on <id>' instead of charging the same mistake again; `withhold` decides its points.",
    )
    withhold: bool = Field(
        True,
        description="With `needs`: true withholds this check's points while a check it needs did not pass; false keeps them when that check judged the work and failed it, so the mistake it already charges costs once (a needed check that could not run still withholds them).",
    )

    def needed_probes(self) -> set[str]:
        """Names of the rubric probes this check reads."""
        return set()

    def staff_functions(self) -> dict[str, str]:
        """The functions of the rubric's judges.py this check calls, by the rubric field that names them."""
        return {}

    def probe_fields(self) -> dict[str, set[str]]:
        """Keys of probe outputs this check reads, by probe (checked against probes.py when the rubric loads)."""
        return {}

    def uses_reference(self) -> bool:
        """True when judging needs the reference solution's probe data (so grading runs the reference first)."""
        return False

    def evaluate(self, evidence: Evidence) -> Verdict:  # pragma: no cover - abstract
        raise NotImplementedError

    def judge(self, evidence: Evidence) -> CheckResult:
        """Run ``evaluate`` and turn its verdict (or its failure to run) into a scored result."""
        where = evidence.code_cell(self)
        try:
            verdict = self.evaluate(evidence)
        except CheckNotRun as not_run:
            return self.result(CheckStatus.error, 0.0, plain_reason(f"Not evaluated: {not_run}", where))
        except Exception as bug:  # noqa: BLE001 - a rubric or grader bug must not sink the whole batch
            if type(bug).__name__ in FRAMEWORK_ERRORS:  # TensorFlow on the host refused the student's values
                return self.result(CheckStatus.error, 0.0, plain_reason(f"Not evaluated: {type(bug).__name__}: {bug}", where))
            return self.result(CheckStatus.error, 0.0, f"Not evaluated: the grader itself failed on this check ({type(bug).__name__}: {bug}); your TA will look at it.")
        if verdict.needs_review:
            return self.result(CheckStatus.review, 0.0, verdict.reason, verdict.measured, verdict.figures)
        fraction = verdict.fraction if math.isfinite(verdict.fraction) else 0.0
        fraction = min(max(fraction, 0.0), 1.0)
        if not self.partial:
            fraction = 1.0 if fraction >= 1.0 else 0.0
        status = CheckStatus.passed if fraction >= 1.0 else CheckStatus.partial if fraction > 0 else CheckStatus.failed
        text = self.feedback.passed if status == CheckStatus.passed else self.feedback.failed
        reason = plain_reason(verdict.reason if not text else f"{verdict.reason} {text}", where)
        return self.result(status, round(self.points * fraction, 4), reason, verdict.measured, verdict.figures)

    def result(self, status: CheckStatus, points: float, reason: str, measured: dict | None = None, figures: list | None = None) -> CheckResult:
        hint = self.feedback.hint if self.visibility == "public" and status != CheckStatus.passed else None
        reason = reason.strip()
        if len(reason) > REASON_CHARS:  # a judge quoting the student's value (repr of a 4 MB string) must not bloat every report
            reason = f"{reason[:REASON_CHARS]} … ({len(reason) - REASON_CHARS} more characters)"
        return CheckResult(
            check_id=self.id,
            title=self.title,
            kind=self.kind,
            visibility=self.visibility,
            points_possible=self.points,
            bonus=self.bonus,
            points_awarded=points,
            status=status,
            reason=reason,
            hint=hint,
            measured=measured or {},
            figures=figures or [],
        )
