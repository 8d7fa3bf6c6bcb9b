"""CPU seconds used by a process tree, read from /proc: what time budgets count, so a loaded machine costs no points.

Runs inside the sandbox (the runner measures its kernel); imports nothing from the grader. A process's
``utime + stime`` covers all its threads; ``cutime + cstime`` the children it has reaped, so work moves
from a child to its parent's count when the child ends and the total stays whole. A descendant that
double-forks away from the tree is no longer counted: the wall-clock cap still bounds it.
"""

from __future__ import annotations

import os

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: str) -> tuple[int, float] | None:
    """(parent pid, own + reaped children's CPU seconds) of one process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            text = handle.read().decode("ascii", "replace")
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: the fields after its last ')' are plain.
    fields = text[text.rfind(")") + 2 :].split()
    try:
        parent = int(fields[1])
        ticks = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    except (IndexError, ValueError):
        return None
    return parent, ticks / TICKS


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds of ``root`` and every live descendant (with what they reaped); 0.0 when /proc has no such process."""
    stats = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return 0.0
    for name in names:
        if name.isdigit():
            found = _stat(name)
            if found is not None:
                stats[int(name)] = found
    if root not in stats:
        return 0.0
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += stats[pid][1]
        todo.extend(children.get(pid, []))
    return total
