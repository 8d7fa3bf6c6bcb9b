"""Benchmark: a batch through `--cluster local:N` against the local pool at the same parallelism. Prints, asserts nothing.

    python bench/bench_cluster.py [COUNT] [N]     (COUNT PW06 samples, default all 7; N workers, default 2)

- tiny batch: 2N trivial notebooks of the tests' tiny course, pool -j N vs cluster local:N; the cheap,
  clean measure of what the cluster adds per submission.
- PW06: the samples of assignments/pw06-mlp (real TF training, minutes on a loaded machine), same comparison.
- ratio: cluster wall / pool wall (the issue's target is <= 1.05), the LocalCluster's start-up time inside it.
- overhead per submission: median of (time a submission took on the host - seconds its sandbox ran on the
  worker), cluster minus pool: packing, scheduling, transfer, unpacking. The reference's probe data is
  computed once beforehand and copied into both results folders, so neither run pays for it.
- 300 students on 10 workers: 30 rounds of the median submission's time measured here (a loaded machine
  makes that an upper bound for an idle worker).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from grader import api  # noqa: E402
from grader.distributed.dask import connect  # noqa: E402
from grader.rubric import load_assignment  # noqa: E402
from tests.conftest import GOOD_CELLS, make_tiny_course, write_notebook  # noqa: E402


def _host_overhead(summary) -> float:
    return statistics.median(r.duration_s - r.run.timings["sandbox_wall"] for r in summary.results if r.run is not None)


def compare(label: str, submissions: Path, assignment_id: str, course: Path, workers: int, root: Path) -> None:
    assignment = load_assignment(assignment_id, course)
    cache = root / f"{label}-cache"
    api.reference_data(assignment, api._sandbox(assignment, "local", None, []), cache)
    walls, summaries = {}, {}
    for name, cluster in (("pool", None), ("cluster", f"local:{workers}")):
        out = root / f"{label}-{name}"
        if cache.exists():
            shutil.copytree(cache, out / ".cache")
        started = time.monotonic()
        summaries[name] = api.grade(submissions, assignment_id, out, jobs=workers, course=course, progress=False, cluster=cluster)
        walls[name] = time.monotonic() - started
    same = {r.student: r.score for r in summaries["pool"].results} == {r.student: r.score for r in summaries["cluster"].results}
    count = len(summaries["pool"].results)
    overhead = _host_overhead(summaries["cluster"]) - _host_overhead(summaries["pool"])
    print(
        f"{label}: {count} submissions, {workers} at a time; pool {walls['pool']:.1f} s, cluster local:{workers} {walls['cluster']:.1f} s; "
        f"ratio cluster/pool {walls['cluster'] / walls['pool']:.2f}; overhead per submission {overhead:+.2f} s; same scores: {same}"
    )
    per_job = statistics.median(r.duration_s for r in summaries["cluster"].results)
    print(
        f"{label}: a submission takes {per_job:.1f} s (median, here); 300 of them on 10 one-job workers: "
        f"30 rounds, about {30 * per_job / 60:.0f} min (scheduling overhead in that: {30 * max(overhead, 0):.0f} s)"
    )


def main(count: int = 7, workers: int = 2) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    started = time.monotonic()
    with connect(f"local:{workers}", "local", []):
        pass
    print(f"LocalCluster of {workers} workers: start and stop {time.monotonic() - started:.1f} s (included in each cluster wall time below)")

    course = make_tiny_course(root)
    for index in range(2 * workers):
        write_notebook(root / "tiny-subs" / f"s{index}.ipynb", GOOD_CELLS)
    compare("tiny", root / "tiny-subs", "tiny", course, workers, root)

    samples = sorted((REPO / "assignments" / "pw06-mlp" / "samples").glob("*.ipynb"))[:count]
    (root / "pw06-subs").mkdir()
    for sample in samples:
        shutil.copy(sample, root / "pw06-subs" / sample.name)
    compare("PW06", root / "pw06-subs", "pw06-mlp", REPO, workers, root)
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main(*(int(argument) for argument in sys.argv[1:]))
