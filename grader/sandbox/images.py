"""The Docker grading image, built with no image registry: a Debian base from debootstrap, wheels from the host.

    grader image build [--gpu]   ->  grader-sandbox:<12 hex>  (cpu)  or  grader-sandbox-gpu:<12 hex>

Three layers, each cached on its own so that a change to the grader's source rebuilds in seconds:

1. ``grader-base:bookworm-<recipe>``: ``debootstrap --variant=minbase bookworm`` with python3, then
   ``docker import`` (the rootfs tarball is kept in the cache folder);
2. ``grader-runtime:<hash>``: the base plus a virtualenv of the pinned requirements, installed with
   ``--no-index`` from wheels that ``pip wheel`` fetched on the host (the same versions the host grader
   runs, so both sandboxes grade alike): the build never needs a network, nor the host's CA bundle;
3. ``grader-sandbox:<hash>``: the runtime plus the grader package, *without* the MNIST test labels
   (the evaluation labels stay outside; rubrics are not in the package at all).

The final tag is a content hash of the recipe, the pinned requirements and the grader's source, so a
result that names its image names exactly what graded it, and an unchanged recipe is never rebuilt.
The cache folder is ``$GRADER_IMAGE_CACHE``, else /var/cache/grader-image (root) or
~/.cache/grader/image. Where a registry is reachable, ``Dockerfile`` beside this file builds the same
image on python:3.11-slim.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from grader import templates
from grader.errors import SandboxUnavailable
from grader.sandbox.docker_engine import engine

RECIPE_VERSION = "2"
DEBIAN_SUITE = "bookworm"
PACKAGES = ("tensorflow-cpu", "nbclient", "nbformat", "ipykernel", "pydantic", "PyYAML", "numpy", "Jinja2")
WITHHELD = ("t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")  # the held half lives in both
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
SANDBOX_UID = 1000
KEEP_IMAGES = 3  # older grader-sandbox tags are removed after a build (each differs by a thin layer)


def runtime_dockerfile(base: str, pins: list[str]) -> str:
    """The runtime layer's Dockerfile (``grader/templates/docker/runtime.Dockerfile.j2``)."""
    return templates.render("docker/runtime.Dockerfile.j2", base=base, requirements=pins)


def sandbox_dockerfile(runtime: str, uid: int = SANDBOX_UID) -> str:
    """The grading image's Dockerfile (``grader/templates/docker/sandbox.Dockerfile.j2``)."""
    return templates.render("docker/sandbox.Dockerfile.j2", runtime=runtime, uid=uid)


def cache_dir() -> Path:
    configured = os.environ.get("GRADER_IMAGE_CACHE")
    folder = Path(configured) if configured else Path("/var/cache/grader-image") if os.geteuid() == 0 else Path.home() / ".cache" / "grader" / "image"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def debian_mirror() -> str:
    """$GRADER_DEBIAN_MIRROR, else the mirror apt already uses for this suite (it is known to answer)."""
    if os.environ.get("GRADER_DEBIAN_MIRROR"):
        return os.environ["GRADER_DEBIAN_MIRROR"]
    sources = Path("/etc/apt")
    for path in [sources / "sources.list", *sorted((sources / "sources.list.d").glob("*"))]:
        text = path.read_text(errors="replace") if path.is_file() else ""
        for stanza in text.split("\n\n"):  # deb822 .sources files
            uris = re.search(r"^URIs:\s*(\S+)", stanza, re.M)
            suites = re.search(r"^Suites:(.*)$", stanza, re.M)
            if uris and suites and DEBIAN_SUITE in suites.group(1).split():
                return uris.group(1)
        for line in text.splitlines():  # one-line sources.list format
            match = re.match(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", line.strip())
            if match and match.group(2) == DEBIAN_SUITE:
                return match.group(1)
    return "http://deb.debian.org/debian"


def requirements(gpu: bool = False) -> list[str]:
    """Pinned to the versions this grader runs with (TensorFlow with CUDA for the GPU image)."""
    pins = []
    for name in PACKAGES:
        version: str | None
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = importlib.metadata.version("tensorflow") if name == "tensorflow-cpu" else None
        if name == "tensorflow-cpu" and gpu:
            name = "tensorflow[and-cuda]"
        pins.append(f"{name}=={version}" if version else name)
    return pins


def grader_files(withheld: tuple[str, ...] = WITHHELD) -> list[Path]:
    """The grader package as it goes into the image: sources and data, never the evaluation labels (by default)."""
    return sorted(path for path in PACKAGE_ROOT.rglob("*") if path.is_file() and "__pycache__" not in path.parts and path.name not in withheld and path.suffix != ".pyc")


def _digest(*parts: str):
    return hashlib.sha256("|".join((RECIPE_VERSION, DEBIAN_SUITE, *parts)).encode())


def runtime_tag(gpu: bool = False) -> str:
    return f"grader-runtime{'-gpu' if gpu else ''}:{_digest(' '.join(requirements(gpu))).hexdigest()[:12]}"


def image_tag(gpu: bool = False) -> str:
    digest = _digest(str(gpu), " ".join(requirements(gpu)))
    for path in grader_files():
        digest.update(str(path.relative_to(PACKAGE_ROOT)).encode() + b"\0" + path.read_bytes())
    return f"grader-sandbox{'-gpu' if gpu else ''}:{digest.hexdigest()[:12]}"


def _run(command: list[str], what: str, **kwargs) -> None:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        raise SandboxUnavailable(f"image build: {what} failed ({tail[0][:300]})")


def _ensure_debootstrap() -> None:
    if shutil.which("debootstrap"):
        return
    if os.geteuid() != 0:
        raise SandboxUnavailable("image build: debootstrap is missing (apt-get install debootstrap)")
    quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run(["apt-get", "update", "-qq"], "apt-get update", env=quiet)
    _run(["apt-get", "install", "-y", "-qq", "debootstrap"], "apt-get install debootstrap", env=quiet)


def build_base(client, cache: Path) -> str:
    """A Debian base image with python3, from debootstrap; the rootfs tarball is cached."""
    tag = f"grader-base:{DEBIAN_SUITE}-{RECIPE_VERSION}"
    if client.images.list(name=tag):
        return tag
    tarball = cache / f"rootfs-{DEBIAN_SUITE}-{RECIPE_VERSION}.tar"
    if not tarball.exists():
        _ensure_debootstrap()
        rootfs = cache / "rootfs"
        shutil.rmtree(rootfs, ignore_errors=True)
        packages = "--include=python3,python3-venv,ca-certificates"
        _run(["debootstrap", "--variant=minbase", packages, DEBIAN_SUITE, str(rootfs), debian_mirror()], "debootstrap")
        shutil.rmtree(rootfs / "var" / "cache" / "apt" / "archives", ignore_errors=True)  # the .debs: 30 MB nobody reads
        _run(["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(tarball) + ".part", "."], "packing the rootfs")
        os.replace(str(tarball) + ".part", tarball)
        shutil.rmtree(rootfs, ignore_errors=True)
    repository, version = tag.split(":")
    client.api.import_image_from_file(str(tarball), repository=repository, tag=version)
    return tag


def build_wheels(cache: Path, gpu: bool) -> Path:
    """Wheels of the pinned requirements, fetched once per requirement set (the only step with a network)."""
    pins = requirements(gpu)
    folder = cache / f"wheels-{hashlib.sha256(' '.join(pins).encode()).hexdigest()[:12]}"
    if (folder / ".complete").exists():
        return folder
    folder.mkdir(exist_ok=True)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "-w", str(folder), *pins], "pip wheel")
    (folder / ".complete").write_text("\n".join(pins) + "\n")
    return folder


def _docker_build(client, context: Path, tag: str) -> None:
    try:  # no network in the build either: everything it installs is in the context
        client.images.build(path=str(context), tag=tag, rm=True, forcerm=True, pull=False, network_mode="none")
    except Exception as problem:  # docker.errors.BuildError / APIError: one line for the admin
        raise SandboxUnavailable(f"image build: docker build of {tag} failed ({str(problem).splitlines()[0][:300]})") from None


def build_runtime(client, cache: Path, gpu: bool) -> str:
    """The base plus the pinned Python packages (the big layer, rebuilt only when a pin changes)."""
    tag = runtime_tag(gpu)
    if client.images.list(name=tag):
        return tag
    base = build_base(client, cache)
    wheels = build_wheels(cache, gpu)
    with tempfile.TemporaryDirectory(prefix="grader-runtime-") as context:
        shutil.copytree(wheels, Path(context) / "wheels", ignore=shutil.ignore_patterns(".complete"))
        (Path(context) / "Dockerfile").write_text(runtime_dockerfile(base, requirements(gpu)))
        _docker_build(client, Path(context), tag)
    return tag


def build_image(gpu: bool = False, client=None) -> str:
    """Build (or find) the grading image for this grader's source and return its tag."""
    client = client or engine()
    tag = image_tag(gpu)
    if client.images.list(name=tag):
        return tag
    runtime = build_runtime(client, cache_dir(), gpu)
    with tempfile.TemporaryDirectory(prefix="grader-image-") as context:
        root = Path(context)
        for path in grader_files():
            target = root / "grader" / path.relative_to(PACKAGE_ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        (root / "Dockerfile").write_text(sandbox_dockerfile(runtime))
        _docker_build(client, root, tag)
    prune_images(client, tag)
    return tag


def prune_images(client, keep: str) -> list[str]:
    """Untag all but the newest ``KEEP_IMAGES`` grading images of ``keep``'s kind; returns the removed tags.

    An image a running container uses is left alone (the engine refuses), so a grader still at work on
    an older source is not disturbed.
    """
    repository = keep.split(":")[0]
    images = sorted(client.images.list(name=repository), key=lambda image: image.attrs.get("Created", ""), reverse=True)
    removed = []
    for image in images[KEEP_IMAGES:]:
        for tag in image.tags:
            if tag != keep and tag.startswith(repository + ":"):
                try:
                    client.images.remove(tag)
                    removed.append(tag)
                except Exception:  # noqa: BLE001 - in use: it stays until a later build
                    pass
    return removed
