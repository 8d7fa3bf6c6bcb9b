"""Bad notebooks get one clear line naming the file; good ones are sanitized."""

from __future__ import annotations

import json

import pytest

from grader.errors import NotebookError
from grader.execution.loading import load_notebook
from tests.conftest import write_notebook


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not a notebook (invalid JSON"),
        (json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": []}), "nbformat 3 is not supported"),
        (json.dumps({"cells": []}), "no nbformat field"),
        (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}), "not a valid nbformat 4 notebook"),
        ("", "invalid JSON"),
    ],
)
def test_bad_notebooks_raise_one_line(tmp_path, content, message):
    path = tmp_path / "bad.ipynb"
    path.write_text(content)
    with pytest.raises(NotebookError) as error:
        load_notebook(path)
    assert message in str(error.value) and str(path) in str(error.value) and "\n" not in str(error.value)


def test_outputs_are_dropped_and_tags_kept(tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", [("x = 1", ["ex1"])])
    data = json.loads(path.read_text())
    data["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "All checks passed! 100/100"}]
    data["cells"][0]["execution_count"] = 7
    path.write_text(json.dumps(data))
    notebook, digest = load_notebook(path)
    assert notebook.cells[0].outputs == [] and notebook.cells[0].execution_count is None
    assert notebook.cells[0].metadata["tags"] == ["ex1"] and len(digest) == 64
