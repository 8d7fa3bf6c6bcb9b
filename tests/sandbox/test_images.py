"""The image recipe's Dockerfiles, rendered from grader/templates/docker/ without a Docker engine.

The reference strings are the recipe as it was written in images.py before it became template files:
the runtime tag hashes only RECIPE_VERSION and the pins, so a rendered Dockerfile that drifted from them
by one byte would build a different image under an unchanged tag.
"""

from __future__ import annotations

from grader.sandbox.images import SANDBOX_UID, requirements, runtime_dockerfile, sandbox_dockerfile

RUNTIME_BEFORE = """\
FROM {base}
COPY wheels /tmp/wheels
RUN python3 -m venv /opt/venv \\
 && /opt/venv/bin/pip install --no-index --no-cache-dir --disable-pip-version-check --find-links /tmp/wheels {requirements} \\
 && rm -rf /tmp/wheels
ENV PATH=/opt/venv/bin:/usr/bin:/bin PYTHONDONTWRITEBYTECODE=1 TF_CPP_MIN_LOG_LEVEL=2
"""

SANDBOX_BEFORE = """\
FROM {runtime}
COPY grader /opt/grader/grader
RUN python -m compileall -q /opt/grader
ENV PYTHONPATH=/opt/grader HOME=/job/work
USER {uid}:{uid}
"""


def test_runtime_dockerfile_is_byte_identical_to_the_recipe_it_replaced():
    for pins in (["tensorflow-cpu==2.21.0", "numpy==2.4.6", "Jinja2"], requirements(), requirements(gpu=True)):
        quoted = " ".join(f"'{pin}'" for pin in pins)
        expected = RUNTIME_BEFORE.format(base="grader-base:bookworm-2", requirements=quoted)
        assert runtime_dockerfile("grader-base:bookworm-2", pins) == expected


def test_sandbox_dockerfile_is_byte_identical_to_the_recipe_it_replaced():
    assert sandbox_dockerfile("grader-runtime:0123456789ab") == SANDBOX_BEFORE.format(runtime="grader-runtime:0123456789ab", uid=SANDBOX_UID)
    assert sandbox_dockerfile("grader-runtime-gpu:ba9876543210", uid=4242).endswith("\nUSER 4242:4242\n")
