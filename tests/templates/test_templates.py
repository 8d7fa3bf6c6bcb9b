"""The template loader: strict about names, HTML autoescaped by file name, and every template shipped."""

from __future__ import annotations

import glob

import jinja2
import pytest
import tomllib

from grader import templates
from tests.conftest import REPO


def test_html_templates_are_autoescaped_and_others_are_not():
    environment = templates._environment()
    assert environment.autoescape("reports/student.html.j2")
    assert not environment.autoescape("docker/sandbox.Dockerfile.j2") and not environment.autoescape("gradescope/pyproject.toml.j2")


def test_an_undefined_name_is_an_error_not_an_empty_string():
    with pytest.raises(jinja2.UndefinedError):
        templates.render("docker/sandbox.Dockerfile.j2", uid=1000)  # no runtime: no "FROM " with nothing after it


def test_every_template_file_is_package_data():
    """A non-editable install ships what pyproject's package-data globs name: every file under templates/."""
    globs = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["grader.templates"]
    files = [path.relative_to(templates.FOLDER).as_posix() for path in templates.FOLDER.rglob("*") if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts]
    shipped = {name for pattern in globs for name in glob.glob(pattern, root_dir=templates.FOLDER, recursive=True)}
    assert files and set(files) <= shipped, sorted(set(files) - shipped)
