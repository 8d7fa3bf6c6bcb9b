"""Running batches over workers: a local thread pool (pool), or a Dask cluster when one machine is not enough
(dask: imported only for ``--cluster``; it needs the ``cluster`` extra)."""

from grader.distributed.pool import run_pool

__all__ = ["run_pool"]
