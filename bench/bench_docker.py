"""Benchmark: what the Docker sandbox costs per submission, next to the local one. Prints, asserts nothing.

    python bench/bench_docker.py [N]        (needs an engine and the image: grader image build)

- image: the tag, its size, and how long `build_image` takes when the image is already there;
- start: median seconds of a bare container's life under the sandbox's settings (create, start with
  the job on stdin, `python -c pass`, remove), i.e. the fixed cost per submission;
- tiny job: median seconds to grade the tiny notebook of the tests, docker vs local, and the ratio.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.pipeline import Submission, grade_submission  # noqa: E402
from grader.rubric import load_assignment  # noqa: E402
from grader.sandbox.docker import LABEL, DockerSandbox, engine  # noqa: E402
from grader.sandbox.images import build_image  # noqa: E402
from grader.sandbox.local import LocalSandbox  # noqa: E402
from tests.conftest import GOOD_CELLS, make_tiny_course, tiny_reference, write_notebook  # noqa: E402


def main(count: int = 10) -> None:
    client = engine()
    started = time.monotonic()
    tag = build_image(client=client)
    cached_build = time.monotonic() - started
    size_gb = client.images.get(tag).attrs["Size"] / 1e9
    print(f"image {tag}: {size_gb:.2f} GB, build_image when present: {cached_build:.2f} s")

    docker = DockerSandbox(client, tag)
    with tempfile.TemporaryDirectory() as folder:
        course = make_tiny_course(Path(folder))
        tiny = load_assignment("tiny", course)
        limits = tiny.rubric.resources
        bare = [_bare_run(docker, limits) for _ in range(count)]
        print(f"bare container (create, start, python -c pass, remove): median {statistics.median(bare):.2f} s over {count}")

        notebook = write_notebook(Path(folder) / "student.ipynb", GOOD_CELLS)
        reference = tiny_reference(tiny)
        local = LocalSandbox(hide=[course / "rubrics", course / "reference"])
        times: dict[str, list[float]] = {"docker": [], "local": []}
        for _ in range(count):
            for name, sandbox in (("docker", docker), ("local", local)):
                result, _ = grade_submission(Submission("student", notebook), tiny, sandbox, reference=reference)
                assert result.score == 9, result
                times[name].append(result.duration_s)
        medians = {name: statistics.median(values) for name, values in times.items()}
        print(
            f"tiny job graded: docker median {medians['docker']:.2f} s, local median {medians['local']:.2f} s, "
            f"docker/local {medians['docker'] / medians['local']:.2f}, docker - local {medians['docker'] - medians['local']:+.2f} s over {count}"
        )
    leftovers = client.containers.list(all=True, filters={"label": LABEL})
    print(f"containers left with label {LABEL}: {len(leftovers)}")


def _bare_run(sandbox: DockerSandbox, limits) -> float:
    """One container with the sandbox's locks that only starts Python and exits: the fixed cost."""
    started = time.monotonic()
    container = sandbox.client.containers.create(
        sandbox.image,
        ["python", "-c", "pass"],
        labels={LABEL: "bench"},
        user="1000:1000",
        network_mode="none",
        cap_drop=["ALL"],
        security_opt=["no-new-privileges"],
        read_only=True,
        tmpfs={"/tmp": "size=64m", "/job": "size=64m"},
        mem_limit=f"{limits.memory_mb}m",
        memswap_limit=f"{limits.memory_mb}m",
        pids_limit=limits.processes,
    )
    try:
        container.start()
        container.wait(timeout=60)
    finally:
        container.remove(force=True)
    return time.monotonic() - started


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
