"""Templates as files: HTML pages, shell scripts, Dockerfiles and config files the grader writes.

They live beside this module (``grader/templates/<area>/<name>``) so they can be read, linted and diffed
as what they are. ``render`` fills them with Jinja2: undefined names are errors (a typo must not turn
into an empty string in a shell script), and HTML templates are autoescaped, so a student's text can
never become markup.
"""

from __future__ import annotations

import functools
from pathlib import Path

FOLDER = Path(__file__).parent


@functools.lru_cache(maxsize=1)
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(FOLDER),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "htm", "html.j2"], default_for_string=False, default=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **values) -> str:
    """The template ``name`` (e.g. ``gradescope/setup.sh``) filled with ``values``."""
    return _environment().get_template(name).render(**values)


def source(name: str) -> str:
    """The template's text as it is, for files that need no values."""
    return (FOLDER / name).read_text(encoding="utf-8")
