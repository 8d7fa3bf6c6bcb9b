"""The rubric format: one YAML file per assignment, validated by these models.

A rubric names the notebook, the time and resource limits, the data the sandbox gets, the probes
(staff functions in ``rubrics/<id>/probes.py`` that run in the student's kernel after the student's
cells and return plain data) and the checks (judged outside the sandbox). ``grader schema`` prints the
JSON Schema generated from these models.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from grader.checks import AnyCheck
from grader.settings import Limits, Timeouts


class ProbeSpec(BaseModel):
    """A staff function that runs in the student's kernel and extracts plain data."""

    model_config = ConfigDict(extra="forbid")

    function: str | None = Field(None, description="Function name in probes.py; defaults to the probe's name.")
    inputs: str | None = Field(
        None,
        description="Function in judges.py, f(rng, data) -> (sandbox_inputs, held): arrays sent to the probe, and arrays the grader keeps (e.g. labels).",
    )
    timeout: float | None = Field(None, gt=0, description="Seconds the probe may run; defaults to timeouts.probe.")
    forbid_imports: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]] = Field(
        default_factory=list,
        description="Top-level packages (e.g. [tensorflow, jax, torch]) the student's code may not import, reach or run while this probe calls it: "
        "for exercises done by hand; any use fails the probe with a reason.",
    )


class LatePolicy(BaseModel):
    """Points taken off a late submission. Usage: ``late_policy: {percent_per_day: 10, max_percent: 50}``."""

    model_config = ConfigDict(extra="forbid")

    percent_per_day: float = Field(ge=0, le=100, description="Percent of the points earned taken off per day late, each started day counting as a whole one.")
    max_percent: float = Field(100, ge=0, le=100, description="Most percent ever taken off, however late.")
    unknown_days: float = Field(1, ge=0, description="Days late to assume when the LMS marks a submission late without saying by how much (Canvas file names).")


class Rubric(BaseModel):
    """One assignment: what to run and how to score it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Assignment id, e.g. pw06-mlp; also the rubric file name.", pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str = Field(description="Title shown in reports.")
    notebook: str = Field(description="File name of the student notebook (template and reference use it too).")
    timeouts: Timeouts = Field(default_factory=Timeouts, description="Per-cell, whole-notebook and probe time limits.")
    resources: Limits = Field(default_factory=Limits, description="Memory, CPU, process and size limits of the sandbox.")
    data: list[Literal["mnist"]] = Field(default_factory=list, description="Datasets the sandbox provides (evaluation labels are withheld).")
    seed: int = Field(0, description="Seed for grader-chosen inputs; the reference and every student get the same inputs.")
    tensorflow_v1: bool = Field(False, description="Informational: the series uses tensorflow.compat.v1 graphs.")
    probes: dict[str, ProbeSpec] = Field(default_factory=dict, description="Probes by name.")
    checks: list[AnyCheck] = Field(description="Checks in the order reports list them.", min_length=1)
    late_policy: LatePolicy | None = Field(None, description="Penalty for submissions the LMS marks late; none when absent.")

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        ids = [check.id for check in self.checks]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate check ids: {', '.join(duplicates)}")
        for check in self.checks:
            unknown = check.needed_probes() - set(self.probes)
            if unknown:
                raise ValueError(f"check {check.id} reads probe(s) not declared under 'probes': {', '.join(sorted(unknown))}")
            missing = [name for name in check.needs if name not in ids or name == check.id]
            if missing:
                raise ValueError(f"check {check.id} needs {', '.join(missing)}, which is not another check of this rubric")
        return self

    @property
    def max_score(self) -> float:
        return sum(check.points for check in self.checks if not check.bonus)

    def public_exercises(self) -> list[str]:
        """Exercise tags that have public checks (what a student may self-check)."""
        return sorted({check.exercise for check in self.checks if check.visibility == "public" and check.exercise})

    def probes_for(self, checks: list) -> dict[str, ProbeSpec]:
        """The probes those checks need, in declaration order."""
        needed = set().union(*(check.needed_probes() for check in checks)) if checks else set()
        return {name: spec for name, spec in self.probes.items() if name in needed}
