"""Sandbox backends for the tests: local always; docker when an engine answers (CI starts one).

With CI=true neither may be missing: no Docker engine, or a local sandbox without bubblewrap's
allow-list root, fails the test instead of skipping it or testing the fallback.
"""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def docker_sandbox():
    from grader.errors import SandboxUnavailable
    from grader.sandbox.docker import DockerSandbox, engine
    from grader.sandbox.images import build_image

    try:
        client = engine()
    except SandboxUnavailable as why:
        if IN_CI:
            pytest.fail(f"CI=true but no Docker engine could be reached: {why}")
        pytest.skip(f"no Docker engine could be reached here: {why}")
    # Not a skip from here on: with an engine present, a failing image build is a failure.
    return DockerSandbox(client, build_image(client=client))


@pytest.fixture(params=["local", pytest.param("docker", marks=pytest.mark.docker)])
def backend(request, tiny_course):
    if request.param == "docker":
        return request.getfixturevalue("docker_sandbox")
    from grader.sandbox.local import LocalSandbox

    if IN_CI and LocalSandbox.confinement() != "bwrap":
        pytest.fail(f"CI=true but the local sandbox runs as {LocalSandbox().describe()}")
    return LocalSandbox(hide=[tiny_course / "rubrics", tiny_course / "reference"])
