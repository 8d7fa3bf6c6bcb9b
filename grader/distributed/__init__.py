"""Running batches over workers: a local thread pool (pool); Dask comes when one machine is not enough."""

from grader.distributed.pool import run_pool

__all__ = ["run_pool"]
