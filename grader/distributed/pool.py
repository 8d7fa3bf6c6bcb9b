"""Fan a batch out over local workers.

Each submission's heavy work happens in its own sandbox process, so host-side workers are threads:
they wait on sandboxes and judge results. ``on_result`` is called in the caller's thread as each
submission finishes, so results are stored one by one (a killed batch keeps what is done).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


def run_pool(items: Iterable[Item], work: Callable[[Item], Outcome], on_result: Callable[[Item, Outcome], None], workers: int) -> None:
    """Run ``work`` on every item with at most ``workers`` at a time; report each outcome as it lands."""
    pending: dict[Future, Item] = {}
    queue = list(items)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        try:
            while queue or pending:
                while queue and len(pending) < max(1, workers):
                    item = queue.pop(0)
                    pending[pool.submit(work, item)] = item
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    on_result(pending.pop(future), future.result())
        except BaseException:
            for future in pending:
                future.cancel()
            raise
