"""Sandboxes: one abstract interface (base), backends local, docker, fake; ``get_sandbox`` picks one.

The docker backend imports the docker SDK lazily: install the ``docker`` extra to use it. This package's
own import stays light (``Sandbox`` and ``SandboxOutcome`` resolve on first use) because the in-sandbox
programs ``grader.sandbox.jail`` and ``grader.sandbox.container_entry`` live here and must not load the
host side (pydantic models, settings) before the student's kernel starts.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import SandboxUnavailable

if TYPE_CHECKING:
    from grader.sandbox.base import Sandbox, SandboxOutcome

BACKENDS = ("local", "docker", "auto")


def get_sandbox(name: str, hide: list[Path] | None = None, gpus: str | None = None) -> Sandbox:
    """The backend called ``name`` (local, docker or auto: Docker when an engine answers, else local)."""
    if name not in BACKENDS:
        raise SandboxUnavailable(f"unknown sandbox {name!r} (choose from {', '.join(BACKENDS)})")
    if name in ("docker", "auto"):
        try:
            from grader.sandbox.docker import DockerSandbox
        except ImportError:
            if name == "docker":
                raise SandboxUnavailable("the docker sandbox needs the docker SDK: pip install 'grader[docker]'") from None
        else:
            try:
                return DockerSandbox.connect(gpus=gpus)
            except SandboxUnavailable:
                if name == "docker":
                    raise
    from grader.sandbox.local import LocalSandbox

    return LocalSandbox(hide=hide)


__all__ = ["BACKENDS", "Sandbox", "SandboxOutcome", "get_sandbox"]


def __getattr__(name: str):
    if name in ("Sandbox", "SandboxOutcome"):
        return getattr(importlib.import_module("grader.sandbox.base"), name)
    raise AttributeError(f"module 'grader.sandbox' has no attribute {name!r}")
