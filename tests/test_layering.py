"""The import graph: acyclic, and the trust boundary visible in it.

Code that runs inside the sandbox (the jail, the runner and its kernel client, the probe runtime,
``grader.probes`` and the datasets) imports nothing from the host side: no API, rubric loading, judges,
reports or stores. A host module may import sandbox-side code (for example the job models), never the
reverse. Checked twice: on the source (every import, also inside functions) and by importing the
sandbox-side entry points in a fresh interpreter and listing which grader modules got loaded.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys

from tests.conftest import REPO

PACKAGE = REPO / "grader"

SANDBOX_SIDE = {
    "grader",
    "grader._version",
    "grader.errors",
    "grader.datasets",
    "grader.datasets.mnist",
    "grader.execution",
    "grader.execution.cputime",
    "grader.execution.kernel",
    "grader.execution.notebook",
    "grader.execution.probe_runtime",
    "grader.execution.runner",
    "grader.execution.status",
    "grader.probes",
    "grader.probes.tf1",
    "grader.sandbox",
    "grader.sandbox.container_entry",
    "grader.sandbox.jail",
}
# Packages that in-sandbox modules merely live in: only what they import at import time counts (their
# functions, such as get_sandbox, run on the host).
PASSED_THROUGH = {"grader", "grader.sandbox"}
ENTRY_POINTS = ["grader.execution.runner", "grader.execution.probe_runtime", "grader.probes.tf1", "grader.datasets.mnist", "grader.sandbox.jail", "grader.sandbox.container_entry"]


def module_name(path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports(name: str, top_level_only: bool) -> set[str]:
    """Grader modules ``name`` imports (with their parent packages, which Python imports first)."""
    tree = ast.parse(MODULES[name].read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.If) and top_level_only and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for target in targets:
            if not target.startswith("grader"):
                continue
            parts = target.split(".")
            found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1) if ".".join(parts[:i]) in MODULES)
    # A module's own parent packages are already being imported when it runs: no edge, no cycle.
    parts = name.split(".")
    found.difference_update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return found


def test_sandbox_side_code_imports_only_sandbox_side_code():
    offenders = {name: sorted(imports(name, top_level_only=name in PASSED_THROUGH) - SANDBOX_SIDE) for name in SANDBOX_SIDE}
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_top_level_import_graph_is_acyclic():
    graph = {name: imports(name, top_level_only=True) for name in MODULES}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for dependency in sorted(graph.get(name, ())):
            if state.get(dependency) == 1:
                cycles.append(path[path.index(dependency):] + [dependency] if dependency in path else [name, dependency])
            elif dependency not in state:
                visit(dependency, path + [dependency])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_entry_points_load_no_host_module_at_run_time():
    # The same rule, measured: what a fresh interpreter has loaded after importing each sandbox-side entry point.
    script = "import importlib, json, sys\nfor name in sys.argv[1:]: importlib.import_module(name)\nprint(json.dumps(sorted(m for m in sys.modules if m == 'grader' or m.startswith('grader.'))))"
    done = subprocess.run([sys.executable, "-c", script, *ENTRY_POINTS], capture_output=True, text=True, cwd=REPO, timeout=120, check=True)
    loaded = set(json.loads(done.stdout))
    assert loaded - SANDBOX_SIDE == set()
    assert "grader.api" not in loaded and "grader.rubric.loading" not in loaded


def test_every_module_is_classified_by_the_rule():
    # A new sandbox-side module must be added to SANDBOX_SIDE on purpose; a typo there must not hide one.
    assert SANDBOX_SIDE <= set(MODULES)


def test_the_runner_starts_without_host_libraries():
    # Every job pays the runner's start-up before the student's first cell: the jail and the runner load
    # the standard library and pyzmq, not the notebook, kernel-manager or model libraries.
    heavy = ["pydantic", "nbformat", "nbclient", "jupyter_client", "traitlets", "yaml", "jsonschema", "numpy", "IPython"]
    script = "import json, sys\nimport grader.sandbox.jail, grader.execution.runner\nprint(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in sys.argv[1:])))"
    done = subprocess.run([sys.executable, "-c", script, *heavy], capture_output=True, text=True, cwd=REPO, timeout=120, check=True)
    assert json.loads(done.stdout) == []
