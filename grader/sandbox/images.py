"""The Docker grading image, built with no image registry: a Debian base from debootstrap, wheels from the host.

    grader image build [--gpu]   ->  grader-sandbox:<12 hex>  (cpu)  or  grader-sandbox-gpu:<12 hex>

1. base: ``debootstrap --variant=minbase bookworm`` with python3, then ``docker import`` (cached tarball);
2. wheels: ``pip wheel`` of the pinned requirements on the host (the same versions the host grader
   runs, so both sandboxes grade alike), installed in the image with ``--no-index``: the container
   never needs a network, nor the host's CA bundle;
3. the grader package itself, *without* the MNIST test labels: the evaluation labels stay outside.

The tag is a content hash of the recipe, the pinned requirements and the grader's source, so a result
that names its image names exactly what graded it, and an unchanged recipe is never rebuilt.
Where a registry is reachable, ``Dockerfile`` beside this file builds the same image on python:3.11-slim.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from grader.errors import SandboxUnavailable

RECIPE_VERSION = "1"
DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = os.environ.get("GRADER_DEBIAN_MIRROR", "http://deb.debian.org/debian")
PACKAGES = ("tensorflow-cpu", "nbclient", "nbformat", "ipykernel", "pydantic", "PyYAML", "numpy")
WITHHELD = ("t10k-labels-idx1-ubyte.gz",)
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
SANDBOX_UID = 1000

DOCKERFILE = """\
FROM {base}
COPY wheels /tmp/wheels
RUN python3 -m venv /opt/venv \\
 && /opt/venv/bin/pip install --no-index --no-cache-dir --disable-pip-version-check --find-links /tmp/wheels {requirements} \\
 && rm -rf /tmp/wheels
COPY grader /opt/grader/grader
RUN /opt/venv/bin/python -m compileall -q /opt/grader
ENV PATH=/opt/venv/bin:/usr/bin:/bin PYTHONPATH=/opt/grader PYTHONDONTWRITEBYTECODE=1 TF_CPP_MIN_LOG_LEVEL=2 HOME=/job/work
USER {uid}:{uid}
"""


def cache_dir() -> Path:
    configured = os.environ.get("GRADER_IMAGE_CACHE")
    folder = Path(configured) if configured else Path("/var/cache/grader-image") if os.geteuid() == 0 else Path.home() / ".cache" / "grader" / "image"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def requirements(gpu: bool = False) -> list[str]:
    """Pinned to the versions this grader runs with (TensorFlow with CUDA for the GPU image)."""
    pins = []
    for name in PACKAGES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = importlib.metadata.version("tensorflow") if name == "tensorflow-cpu" else None
        if name == "tensorflow-cpu" and gpu:
            name = "tensorflow[and-cuda]"
        pins.append(f"{name}=={version}" if version else name)
    return pins


def grader_files() -> list[Path]:
    """The grader package as it goes into the image: sources and data, never the evaluation labels."""
    return sorted(
        path for path in PACKAGE_ROOT.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.name not in WITHHELD and path.suffix != ".pyc"
    )


def image_tag(gpu: bool = False) -> str:
    digest = hashlib.sha256(f"{RECIPE_VERSION}|{DEBIAN_SUITE}|{gpu}|{' '.join(requirements(gpu))}".encode())
    for path in grader_files():
        digest.update(str(path.relative_to(PACKAGE_ROOT)).encode() + b"\0" + path.read_bytes())
    return f"grader-sandbox{'-gpu' if gpu else ''}:{digest.hexdigest()[:12]}"


def _run(command: list[str], what: str, **kwargs) -> None:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        raise SandboxUnavailable(f"image build: {what} failed ({tail[0][:300]})")


def build_base(client, cache: Path) -> str:
    """A Debian base image with python3, from debootstrap; the rootfs tarball is cached."""
    tag = f"grader-base:{DEBIAN_SUITE}-{RECIPE_VERSION}"
    if client.images.list(name=tag):
        return tag
    tarball = cache / f"rootfs-{DEBIAN_SUITE}.tar"
    if not tarball.exists():
        if not shutil.which("debootstrap"):
            raise SandboxUnavailable("image build: debootstrap is missing (apt-get install debootstrap)")
        rootfs = cache / "rootfs"
        shutil.rmtree(rootfs, ignore_errors=True)
        _run(["debootstrap", "--variant=minbase", "--include=python3,python3-venv,ca-certificates", DEBIAN_SUITE, str(rootfs), DEBIAN_MIRROR], "debootstrap")
        _run(["tar", "-C", str(rootfs), "-cf", str(tarball) + ".part", "."], "packing the rootfs")
        os.replace(str(tarball) + ".part", tarball)
        shutil.rmtree(rootfs, ignore_errors=True)
    client.api.import_image_from_file(str(tarball), repository=tag.split(":")[0], tag=tag.split(":")[1])
    return tag


def build_wheels(cache: Path, gpu: bool) -> Path:
    folder = cache / ("wheels-gpu" if gpu else "wheels")
    folder.mkdir(exist_ok=True)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "-w", str(folder), *requirements(gpu)], "pip wheel")
    return folder


def build_image(gpu: bool = False, client=None) -> str:
    """Build (or find) the grading image and return its tag."""
    from grader.sandbox.docker import engine

    client = client or engine()
    tag = image_tag(gpu)
    if client.images.list(name=tag):
        return tag
    cache = cache_dir()
    base = build_base(client, cache)
    wheels = build_wheels(cache, gpu)
    with tempfile.TemporaryDirectory(prefix="grader-image-") as context:
        root = Path(context)
        shutil.copytree(wheels, root / "wheels")
        for path in grader_files():
            target = root / "grader" / path.relative_to(PACKAGE_ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        quoted = " ".join(f"'{pin}'" for pin in requirements(gpu))
        (root / "Dockerfile").write_text(DOCKERFILE.format(base=base, requirements=quoted, uid=SANDBOX_UID))
        try:
            client.images.build(path=context, tag=tag, rm=True, forcerm=True, pull=False, network_mode="none")
        except Exception as problem:  # docker.errors.BuildError / APIError: one line for the admin
            raise SandboxUnavailable(f"image build: docker build failed ({str(problem).splitlines()[0][:300]})") from None
    return tag
