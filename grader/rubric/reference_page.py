"""The rubric reference page (docs/rubric.md), generated from the models' field descriptions.

The descriptions on the pydantic fields are the one place a rubric field is explained; this page and
the JSON Schema are both made from them, and a test fails when the committed page drifts.
"""

from __future__ import annotations

import typing
from collections.abc import Set as AbstractSet

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from grader.checks import CHECK_KINDS
from grader.checks.graph import ExpectedVariable
from grader.rubric.models import LatePolicy, ProbeSpec, Rubric
from grader.settings import Limits, Timeouts

INTRO = """# Rubric reference

A rubric is `rubrics/<id>.yaml`, with its staff code beside it in `rubrics/<id>/probes.py` (functions
that run in the student's kernel after the student's cells and return plain data) and
`rubrics/<id>/judges.py` (input makers, formulas and test functions that run in the grader). Every name
a rubric uses (`inputs`, `formula`, `function`, a probe, a probe's `field`) is checked against that code
when the rubric loads. `grader schema` prints the same format as JSON Schema (`docs/rubric.schema.json`).

This page is generated from the models' field descriptions (`python -m grader schema --markdown`); do not
edit it by hand.
"""


def _type_name(annotation) -> str:
    if "discriminator='kind'" in repr(annotation):
        return "list of checks (kinds below)"
    text = repr(annotation) if not isinstance(annotation, type) else annotation.__name__
    for noise in ("typing.", "grader.settings.", "grader.rubric.models.", "grader.checks.base.", "grader.checks.graph."):
        text = text.replace(noise, "")
    return text.replace("NoneType", "None").replace("|", "or").replace("Literal", "one of ")


def _default(field) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()
        return f"`{value.model_dump() if isinstance(value, BaseModel) else value!r}`"
    return "" if field.default is PydanticUndefined else f"`{field.default!r}`"


def _table(model: type[BaseModel], skip: AbstractSet[str] = frozenset()) -> list[str]:
    lines = ["| field | type | default | meaning |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        description = (field.description or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{name}` | {_type_name(field.annotation).replace('|', chr(92) + '|')} | {_default(field)} | {description} |")
    return lines


def _section(title: str, model: type[BaseModel], skip: AbstractSet[str] = frozenset()) -> list[str]:
    doc = typing.cast(str, model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    return [f"## {title}", "", doc, "", *_table(model, skip), ""]


def render() -> str:
    lines = [INTRO]
    lines += _section("The rubric", Rubric)
    lines += _section("`timeouts`", Timeouts)
    lines += _section("`resources`", Limits)
    lines += _section("`probes.<name>`", ProbeSpec)
    lines += _section("`late_policy`", LatePolicy)
    common = set(CHECK_KINDS[0].model_fields).intersection(*(set(kind.model_fields) for kind in CHECK_KINDS))
    lines += ["## Fields every check has", "", "`kind` names the check kind (one of the sections below).", "", *_table(CHECK_KINDS[0], skip=set(CHECK_KINDS[0].model_fields) - common | {"kind"}), ""]
    for kind in CHECK_KINDS:
        name = typing.get_args(kind.model_fields["kind"].annotation)[0]
        lines += _section(f"Check kind `{name}`", kind, skip=common)
    lines += _section("`variables[]` of a graph check", ExpectedVariable)
    return "\n".join(lines).rstrip() + "\n"
