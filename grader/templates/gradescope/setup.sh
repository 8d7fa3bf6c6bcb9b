#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (network is available then).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip util-linux
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --no-cache-dir --upgrade pip
# Built from a copy: setuptools writes build files beside the sources, and the bundle stays as uploaded.
build=$(mktemp -d)
cp -r "$ROOT/source/grader-src" "$build/grader-src"
"$ROOT/venv/bin/pip" install --no-cache-dir "$build/grader-src"
rm -rf "$build"
# The test set (its held half is the evaluation data): the grader (root) reads it, the student's code (another uid) must not.
chmod 600 "$("$ROOT/venv/bin/python" -c 'from grader.datasets import mnist; print(mnist.package_dir())')"/t10k-*-ubyte.gz
