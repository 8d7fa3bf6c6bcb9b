"""Stores of results: the SQLite gradebook, and stamps of settled batches.

``Gradebook`` is resolved on first use (PEP 562): ``grader.store.stamp`` answers an unchanged re-grade
with the standard library alone, and must not pull in the gradebook's pydantic models on the way.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.store.gradebook import Gradebook as Gradebook

__all__ = ["Gradebook"]


def __getattr__(name: str):
    if name != "Gradebook":
        raise AttributeError(f"module 'grader.store' has no attribute {name!r}")
    value = importlib.import_module("grader.store.gradebook").Gradebook
    globals()[name] = value
    return value
