"""Stores of results: the SQLite gradebook."""

from grader.store.gradebook import Gradebook

__all__ = ["Gradebook"]
