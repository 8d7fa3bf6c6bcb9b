"""Make docs/screenshots/selfcheck.png: the PW06 template's ``grader.check("ex3")`` cell as a student sees it.

    python docs/screenshots/make_selfcheck.py      # needs Debian's chromium (apt-get install -y chromium)

The untouched template runs in a real kernel (as Jupyter would run it); the ex3 self-check cell's HTML
output is put under its input, in a page styled like a notebook cell, and rendered by chromium.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from html import escape
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make import screenshot  # noqa: E402

TEMPLATE = HERE.parents[1] / "assignments" / "pw06-mlp" / "pw06-mlp.ipynb"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>
body{{font-family:system-ui,sans-serif;margin:1.2rem;max-width:62rem}}
.prompt{{color:#303f9f;font-family:monospace;font-size:.85rem;width:4.5rem;display:inline-block;vertical-align:top}}
.input{{display:inline-block;width:calc(100% - 5rem);background:#f5f5f5;border:1px solid #e0e0e0;border-radius:4px;padding:.4rem .6rem;font-family:monospace;font-size:.85rem;white-space:pre}}
.out{{margin-left:4.7rem}}
</style></head><body><div><span class="prompt">[{count}]:</span><div class="input">{code}</div></div><div class="out">{output}</div></body></html>"""


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        notebook_path = Path(work) / TEMPLATE.name
        shutil.copy(TEMPLATE, notebook_path)
        notebook = nbformat.read(notebook_path, as_version=4)
        NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": work}}).execute()
        cell = next(c for c in notebook.cells if c.get("id") == "check-ex3")
        shown = next(o for o in cell.outputs if o.output_type == "execute_result")
        page = Path(work) / "selfcheck.html"
        page.write_text(PAGE.format(count=cell.execution_count, code=escape(cell.source), output=shown.data["text/html"]))
        screenshot(page, HERE / "selfcheck.png", "1100,640")
    print(f"wrote {HERE / 'selfcheck.png'}")


if __name__ == "__main__":
    main()
