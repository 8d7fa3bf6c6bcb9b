"""The connection to the local Docker engine, shared by the backend (docker.py) and the image builder (images.py).

Its own module so that neither of those imports the other: running containers needs the image's tag,
building the image needs the engine, and both need this one function. The docker SDK is imported
lazily, on the first call: ``pip install 'grader[docker]'``.
"""

from __future__ import annotations

import os
import socket

from grader.errors import SandboxUnavailable


def engine():
    """A docker client that answers, or SandboxUnavailable in one line."""
    try:
        import docker
    except ImportError:
        raise SandboxUnavailable("the docker sandbox needs the docker SDK: pip install 'grader[docker]'") from None
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if host.startswith("unix://"):
        # Knock first: the SDK leaks its socket when the connection is refused (a ResourceWarning).
        with socket.socket(socket.AF_UNIX) as knock:
            knock.settimeout(10)
            try:
                knock.connect(host.removeprefix("unix://"))
            except OSError as problem:
                raise SandboxUnavailable(f"no Docker engine answers at {host} ({problem.strerror or problem}); start dockerd or use --sandbox local") from None
    client = None
    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except Exception as problem:  # docker.errors.DockerException and socket errors alike
        if client is not None:
            client.close()
        raise SandboxUnavailable(f"no Docker engine answers ({str(problem).splitlines()[0][:200]}); start dockerd or use --sandbox local") from None
    return client
