#!/usr/bin/env bash
# Install the systems bench/bench_overhead.py compares the grader with, each in its own virtual
# environment so neither touches the grader's interpreter. Idempotent: an environment whose packages
# already import is left as it is. Needs PyPI.
#
#   bash bench/install-comparisons.sh                 # into /opt/bench-venvs/{nbgrader,otter}
#   BENCH_VENVS=~/venvs bash bench/install-comparisons.sh   # elsewhere (then set BENCH_NBGRADER / BENCH_OTTER)
#
# nbgrader runs the notebooks in the grader's own kernel (the bench points it there), so it needs nothing
# else. Otter imports itself inside the kernel, so its kernel is its environment's: ipykernel and numpy
# (the tiny notebooks import it) at the versions the grader's interpreter has, so the kernels match.
set -euo pipefail

root="${BENCH_VENVS:-/opt/bench-venvs}"
python="${PYTHON:-python3}"
status=0

pin() {  # pin PACKAGE: PACKAGE==<the grader interpreter's version>, or PACKAGE when it has none
    local version
    version="$("$python" -c "import importlib.metadata as m; print(m.version('$1'))" 2>/dev/null || true)"
    echo "$1${version:+==$version}"
}

install() {  # install NAME IMPORTS PACKAGE...
    local name="$1" imports="$2" venv="$root/$1"
    shift 2
    if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import $imports" 2>/dev/null; then
        echo "$name: already installed in $venv"
        return
    fi
    "$python" -m venv "$venv"
    if "$venv/bin/python" -m pip install --quiet "$@" && "$venv/bin/python" -c "import $imports"; then
        echo "$name: installed in $venv"
    else
        echo "$name: install failed; the bench skips it" >&2
        status=1
    fi
}

mkdir -p "$root"
install nbgrader nbgrader nbgrader
install otter "otter, ipykernel, numpy" otter-grader "$(pin ipykernel)" "$(pin numpy)"
exit "$status"
