"""A lean client for one IPython kernel, inside the sandbox: start it, run code, interrupt, restart.

The runner needs four things from a kernel: run this code, tell me how it ended (the ``execute_reply``),
stop it when it overruns, and give me a fresh one when it dies. nbclient and jupyter_client do that
and much more (notebook models, output collection, kernel specs, traitlets config), at a price paid by
every job before the student's first cell: about 0.5 CPU-seconds of imports, and a kernel-spec lookup
that imports IPython in the runner too. This module speaks the Jupyter wire protocol itself with pyzmq
and the standard library:

- the kernel is ``python -m ipykernel_launcher -f CONNECTION`` (what the ``python3`` kernel spec runs),
  started in its own session so a kill takes every process it forked;
- requests go on the shell channel, signed with HMAC-SHA256 as the protocol requires; only the
  reply to our own request is taken (a late reply of an interrupted cell is skipped);
- nothing subscribes to iopub: the grader never reads the student's output (verdicts come from probes),
  so a cell printing gigabytes costs the runner nothing, and no output is held in memory;
- interrupts are SIGINT to the kernel process (ipykernel's default ``interrupt_mode``).

Everything the kernel sends is untrusted (the student's code runs there and can forge messages): a
reply only ever says how a cell ended, for the student's report, never a verdict.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone

import zmq

DELIMITER = b"<IDS|MSG>"
PROTOCOL_VERSION = "5.3"


class KernelDied(Exception):
    """The kernel process exited (or was killed) while we waited for it."""


class KernelTimeout(Exception):
    """The kernel did not answer in time."""


def _free_ports(count: int) -> list[int]:
    """Ports free on loopback right now (inside the sandbox's own network namespace nobody races for them)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class Kernel:
    """One running IPython kernel and a shell-channel connection to it."""

    def __init__(self, cwd: str, env: dict[str, str] | None = None) -> None:
        self.cwd = cwd
        self.env = dict(os.environ if env is None else env)
        self.process: subprocess.Popen | None = None
        self.context: zmq.Context = zmq.Context.instance()
        self.shell: zmq.Socket | None = None
        self.session = uuid.uuid4().hex
        self.key = b""
        self.folder = tempfile.mkdtemp(prefix="kernel-")  # the sandbox's private /tmp; mode 0700

    # -- life cycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Launch the kernel process; ``wait_ready`` then waits for it to answer."""
        self.key = uuid.uuid4().hex.encode()
        shell, iopub, stdin, control, heartbeat = _free_ports(5)
        connection = os.path.join(self.folder, f"kernel-{uuid.uuid4().hex[:8]}.json")
        with open(os.open(connection, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            json.dump(
                {
                    "shell_port": shell,
                    "iopub_port": iopub,
                    "stdin_port": stdin,
                    "control_port": control,
                    "hb_port": heartbeat,
                    "ip": "127.0.0.1",
                    "key": self.key.decode(),
                    "transport": "tcp",
                    "signature_scheme": "hmac-sha256",
                    "kernel_name": "python3",
                },
                handle,
            )
        self.process = subprocess.Popen(
            # No SQLite history: nothing reads it, and IPython 9 restarts its history thread after every fork,
            # which fails once a fork bomb has used up the job's processes (the next cell would error).
            [sys.executable, "-m", "ipykernel_launcher", "-f", connection, "--HistoryManager.enabled=False"],
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.shell = self.context.socket(zmq.DEALER)
        self.shell.setsockopt(zmq.LINGER, 0)
        self.shell.connect(f"tcp://127.0.0.1:{shell}")

    def wait_ready(self, timeout: float) -> None:
        """Block until the kernel answers a kernel_info_request; raise KernelDied or KernelTimeout."""
        deadline = time.monotonic() + timeout
        while True:
            # The first request may be sent before the kernel binds its socket: zmq queues it, but ask again
            # now and then in case the kernel dropped it while starting.
            msg_id = self.request("kernel_info_request", {})
            try:
                self.reply(msg_id, min(2.0, max(deadline - time.monotonic(), 0.01)))
                return
            except KernelTimeout:
                if time.monotonic() >= deadline:
                    raise

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def interrupt(self) -> None:
        if self.process is not None and self.alive():
            try:
                os.kill(self.process.pid, signal.SIGINT)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """Kill the kernel and everything it started (its session), and close the channel."""
        if self.shell is not None:
            self.shell.close(linger=0)
            self.shell = None
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.process.wait()

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)

    def restart(self, timeout: float) -> None:
        """A fresh kernel: the student's state is lost, later cells and probes can still run."""
        self.kill()
        self.start()
        self.wait_ready(timeout)

    # -- messages -----------------------------------------------------------------------------------
    def _sign(self, parts: list[bytes]) -> bytes:
        digest = hmac.new(self.key, digestmod=hashlib.sha256)
        for part in parts:
            digest.update(part)
        return digest.hexdigest().encode()

    def request(self, msg_type: str, content: dict) -> str:
        """Send a shell request; return its message id."""
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "session": self.session, "username": "grader", "date": datetime.now(timezone.utc).isoformat(), "msg_type": msg_type, "version": PROTOCOL_VERSION}
        parts = [json.dumps(part).encode() for part in (header, {}, {}, content)]
        assert self.shell is not None, "request() before start()"
        self.shell.send_multipart([DELIMITER, self._sign(parts), *parts])
        return msg_id

    def reply(self, msg_id: str, timeout: float) -> dict:
        """The content of the reply to ``msg_id``; raise KernelDied or KernelTimeout."""
        assert self.shell is not None, "reply() before start()"
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise KernelTimeout(msg_id)
            if self.shell.poll(int(min(left, 0.25) * 1000) + 1):
                content = self._parse(self.shell.recv_multipart(), msg_id)
                if content is not None:
                    return content
            elif not self.alive():
                raise KernelDied(msg_id)

    def _parse(self, frames: list[bytes], msg_id: str) -> dict | None:
        try:
            at = frames.index(DELIMITER)
            signature, header, parent, metadata, content = frames[at + 1 : at + 6]
            if not hmac.compare_digest(signature, self._sign([header, parent, metadata, content])):
                return None
            if json.loads(parent).get("msg_id") != msg_id:
                return None  # e.g. the late reply of a cell interrupted before
            value = json.loads(content)
        except (ValueError, AttributeError, TypeError):
            return None
        return value if isinstance(value, dict) else None

    def execute(self, code: str) -> str:
        """Start running ``code`` (the student's errors do not stop later cells); return the request id."""
        return self.request("execute_request", {"code": code, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False, "stop_on_error": False})
