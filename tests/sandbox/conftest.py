"""Sandbox backends for the tests: local always; docker when an engine answers (CI starts one)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def docker_sandbox():
    from grader.errors import SandboxUnavailable
    from grader.sandbox.docker import DockerSandbox, engine
    from grader.sandbox.images import build_image

    try:
        client = engine()
    except SandboxUnavailable as why:
        pytest.skip(f"no Docker engine could be reached here: {why}")
    # Not a skip from here on: with an engine present, a failing image build is a failure.
    return DockerSandbox(client, build_image(client=client))


@pytest.fixture(params=["local", pytest.param("docker", marks=pytest.mark.docker)])
def backend(request, tiny_course):
    if request.param == "docker":
        return request.getfixturevalue("docker_sandbox")
    from grader.sandbox.local import LocalSandbox

    return LocalSandbox(hide=[tiny_course / "rubrics", tiny_course / "reference"])
