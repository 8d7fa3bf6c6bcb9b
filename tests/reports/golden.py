"""Golden files: rendered output compared byte for byte; GRADER_UPDATE_GOLDEN=1 rewrites them instead."""

from __future__ import annotations

import os
from pathlib import Path


def assert_golden(actual: str, golden: Path) -> None:
    """Compare actual with the golden file; rewrite it when GRADER_UPDATE_GOLDEN=1 (then review the diff)."""
    updating = os.environ.get("GRADER_UPDATE_GOLDEN") == "1"
    if updating or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual.encode("utf-8"))
        assert updating, f"{golden} did not exist and was written; review it and run the test again"
        return
    expected = golden.read_bytes().decode("utf-8")
    assert actual == expected, f"{golden.name} changed; if intended, rerun with GRADER_UPDATE_GOLDEN=1 and review the diff"
