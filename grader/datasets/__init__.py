"""Datasets that ship with the grader, so notebooks work offline and inside the sandbox."""
