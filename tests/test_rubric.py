"""The rubric format: validation errors name the file and the field; the schema is generated and pinned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.errors import RubricError, UnknownAssignment
from grader.rubric import load_assignment, parse_rubric
from tests.conftest import REPO, TINY_RUBRIC

SCHEMA_FILE = REPO / "docs" / "rubric.schema.json"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    return path


def test_tiny_rubric_parses_with_every_kind(tiny):
    assert [check.kind for check in tiny.rubric.checks] == ["compare", "compare", "test", "static", "manual"]
    assert tiny.rubric.max_score == 12


def test_unknown_check_kind_names_file_field_and_kind(tmp_path):
    path = write(tmp_path, TINY_RUBRIC.replace("kind: static", "kind: magic"))
    with pytest.raises(RubricError) as error:
        parse_rubric(path)
    message = str(error.value)
    assert str(path) in message and "checks.3" in message and "'magic'" in message and "\n" not in message


def test_missing_field_is_named(tmp_path):
    path = write(tmp_path, TINY_RUBRIC.replace("    points: 2\n    visibility: public\n    exercise: ex2\n", "    visibility: public\n    exercise: ex2\n"))
    with pytest.raises(RubricError, match=r"checks\.2\.test\.points: required field is missing"):
        parse_rubric(path)


def test_invalid_yaml_names_line(tmp_path):
    with pytest.raises(RubricError, match=r"not valid YAML at line \d+"):
        parse_rubric(write(tmp_path, "id: [unclosed\n"))


def test_lower_is_better_metric_refuses_a_lower_bound(tmp_path):
    text = TINY_RUBRIC.replace(
        "  - id: essay",
        "  - {id: err, kind: metric, title: e, points: 1, probe: double, field: out, metric: error_rate, labels: y, min: 0.05, max: 0.1}\n  - id: essay",
    )
    with pytest.raises(RubricError, match="a better model never loses points"):
        parse_rubric(write(tmp_path, text))


def test_probe_must_be_declared(tmp_path):
    with pytest.raises(RubricError, match="not declared under 'probes': nowhere"):
        parse_rubric(write(tmp_path, TINY_RUBRIC.replace("probe: double\n    field: out\n    expected: reference", "probe: nowhere\n    field: out\n    expected: reference")))


def test_duplicate_check_ids_rejected(tmp_path):
    with pytest.raises(RubricError, match="duplicate check ids: greeting"):
        parse_rubric(write(tmp_path, TINY_RUBRIC.replace("id: no-os", "id: greeting")))


def test_unknown_assignment_lists_known(tiny_course):
    with pytest.raises(UnknownAssignment, match=r"no rubric for assignment 'nope' \(known: tiny\)"):
        load_assignment("nope", tiny_course)


def test_probe_function_must_exist(tiny_course):
    (tiny_course / "rubrics" / "tiny" / "probes.py").write_text("def double(ns, inputs):\n    return {}\n")
    with pytest.raises(RubricError, match="tiny.yaml: probes.greeting: probes.py defines no function 'greeting'"):
        load_assignment("tiny", tiny_course)


def test_probe_function_found_by_syntax_not_by_substring(tiny_course):
    # A comment or string mentioning "def greeting(" used to satisfy the loader.
    probes = tiny_course / "rubrics" / "tiny" / "probes.py"
    probes.write_text('def double(ns, inputs):\n    return {"out": []}\n# def greeting(ns, inputs): later\n')
    with pytest.raises(RubricError, match="defines no function 'greeting'"):
        load_assignment("tiny", tiny_course)


@pytest.mark.parametrize(
    ("wrong", "right", "message"),
    [
        ("{inputs: numbrs}", "{inputs: numbers}", "tiny.yaml: probes.double.inputs: judges.py defines no function 'numbrs' (did you mean 'numbers'?)"),
        ("formula: twic", "formula: twice", "tiny.yaml: checks[double-values].formula: judges.py defines no function 'twic' (did you mean 'twice'?)"),
        ("function: says_helo", "function: says_hello", "tiny.yaml: checks[greeting].function: judges.py defines no function 'says_helo' (did you mean 'says_hello'?)"),
        ("field: outt", "field: out", "tiny.yaml: checks[double-values].field: probe 'double' returns no key 'outt' (it returns out) (did you mean 'out'?)"),
        ("double: {inputs: numbers}\n  greeting: {}", "double: {inputs: numbers}\n  greeting: {}", None),
    ],
)
def test_misspelled_names_fail_at_load_with_one_line(tiny_course, wrong, right, message):
    rubric = tiny_course / "rubrics" / "tiny.yaml"
    text = rubric.read_text()
    assert right in text
    rubric.write_text(text.replace(right, wrong, 1))
    if message is None:  # the unchanged rubric loads: the check does not refuse correct names
        assert load_assignment("tiny", tiny_course).id == "tiny"
        return
    with pytest.raises(RubricError) as raised:
        load_assignment("tiny", tiny_course)
    assert str(raised.value).endswith(message) and "\n" not in str(raised.value)


def test_fields_of_a_probe_that_builds_its_result_are_not_guessed(tiny_course):
    probes = tiny_course / "rubrics" / "tiny" / "probes.py"
    probes.write_text(
        probes.read_text().replace('return {"out": [ns["double"](float(v)) for v in inputs["x"]]}', 'result = {}\n    result["out"] = [ns["double"](float(v)) for v in inputs["x"]]\n    return result')
    )
    rubric = tiny_course / "rubrics" / "tiny.yaml"
    rubric.write_text(rubric.read_text().replace("field: out", "field: anything", 1))
    assert load_assignment("tiny", tiny_course).id == "tiny"


@pytest.mark.parametrize(("source", "message"), [("def numbers(:\n", "judges.py: line 1: invalid syntax"), ("import no_such_module_here\n", "judges.py: cannot be imported (ModuleNotFoundError")])
def test_broken_judges_is_one_line(tiny_course, source, message):
    (tiny_course / "rubrics" / "tiny" / "judges.py").write_text(source)
    with pytest.raises(RubricError, match=message.replace("(", "\\(")):
        load_assignment("tiny", tiny_course)


def test_every_field_has_a_description():
    from grader.rubric.models import Rubric

    schema = Rubric.model_json_schema()
    missing = []
    for name, definition in [("Rubric", schema), *schema.get("$defs", {}).items()]:
        for field, spec in definition.get("properties", {}).items():
            if field != "kind" and "description" not in spec:
                missing.append(f"{name}.{field}")
    assert missing == []


def test_published_schema_matches_models():
    """docs/rubric.schema.json is what editors use; regenerate with `grader schema > docs/rubric.schema.json`."""
    from grader.api import rubric_schema

    assert json.loads(SCHEMA_FILE.read_text()) == rubric_schema()


def test_course_rubrics_all_load():
    from grader.rubric import list_assignments

    ids = list_assignments(REPO)
    assert "pw06-mlp" in ids
    for assignment_id in ids:
        assert load_assignment(assignment_id, REPO).rubric.max_score > 0


def test_published_reference_page_matches_models():
    from grader.api import rubric_reference

    published = (REPO / "docs" / "rubric.md").read_text()
    assert published == rubric_reference(), "docs/rubric.md is stale: python -m grader schema --markdown > docs/rubric.md"
    for kind in ("metric", "static", "compare", "test", "manual", "reconstruction", "graph"):
        assert f"## Check kind `{kind}`" in published


@pytest.mark.parametrize(
    "extra, words",
    [
        ("partial: true, max: 0.12, bands: [{bound: 0.10, fraction: 0.5}]", "loosen the bound step by step"),
        ("partial: true, max: 0.12, bands: [{bound: 0.15, fraction: 0.5}, {bound: 0.20, fraction: 0.6}]", "smaller fractions"),
        ("max: 0.12, bands: [{bound: 0.15, fraction: 0.5}]", "set partial: true"),
        ("max: 0.12, predict: host_scores", "exactly one of 'field'"),
    ],
)
def test_metric_bands_never_reward_a_worse_model_more(tmp_path, extra, words):
    text = TINY_RUBRIC.replace(
        "  - id: essay",
        "  - {id: err, kind: metric, title: e, points: 1, probe: double, field: out, metric: error_rate, labels: y, " + extra + "}\n  - id: essay",
    )
    with pytest.raises(RubricError, match=words):
        parse_rubric(write(tmp_path, text))
