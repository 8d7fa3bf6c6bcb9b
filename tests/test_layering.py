"""The import graph: acyclic (imports inside functions count too), and the trust boundary visible in it.

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


def _runtime_nodes(nodes: list[ast.stmt], top_level_only: bool):
    """The statements that run: at module level only, or at any depth (inside functions too).
    ``if TYPE_CHECKING:`` blocks never run, so what they import is no edge."""
    for node in nodes:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _runtime_nodes(node.orelse, top_level_only)
            continue
        yield node
        if not top_level_only:
            for child in ast.iter_child_nodes(node):
                yield from _runtime_nodes([child], top_level_only)


def imports(name: str, top_level_only: bool) -> set[str]:
    """Grader modules ``name`` imports (with their parent packages, which Python imports first)."""
    tree = ast.parse(MODULES[name].read_text())
    found: set[str] = set()
    for node in _runtime_nodes(tree.body, top_level_only):
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


def cycles_in(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every back edge a depth-first walk meets, as the path that closes it (none: the graph is acyclic)."""
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for dependency in sorted(graph.get(name, ())):
            if state.get(dependency) == 1:
                cycles.append(path[path.index(dependency) :] + [dependency] if dependency in path else [name, dependency])
            elif dependency not in state:
                visit(dependency, path + [dependency])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return cycles


def test_top_level_import_graph_is_acyclic():
    assert cycles_in({name: imports(name, top_level_only=True) for name in MODULES}) == []


def test_import_graph_is_acyclic_also_inside_functions():
    # A function-level import only hides a cycle until that function runs: the modules still depend on each
    # other, so neither can be understood, tested or moved alone (results importing reports, for one).
    assert cycles_in({name: imports(name, top_level_only=False) for name in MODULES}) == []


def test_the_import_reader_sees_function_level_imports_and_skips_type_checking():
    # The rule above is only as good as the reader: a deferred import must count, a typing-only one must not.
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import grader.api\ndef f():\n    import grader.results\n")

    def imported(top_level_only: bool) -> set[str]:
        return {alias.name for node in _runtime_nodes(tree.body, top_level_only) if isinstance(node, ast.Import) for alias in node.names}

    assert imported(top_level_only=False) == {"grader.results"} and imported(top_level_only=True) == set()


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
