"""Writes the adversarial fixture notebooks (run: python tests/notebooks/adversarial/make.py).

Each is graded with the tiny rubric of tests/conftest.py (double() in ex1, greeting() in ex2); the
expected result of each lives beside the test in tests/sandbox/test_adversarial.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from tests.conftest import GOOD_CELLS, write_notebook  # noqa: E402

DOUBLE, GREETING = GOOD_CELLS

REPORTING = "def greeting():\n    return 'hello ' + repr(seen)"

NOTEBOOKS = {
    "infinite_loop": [DOUBLE, "while True:\n    pass", GREETING],
    "sleep_forever": [DOUBLE, "import time\ntime.sleep(10 ** 6)", GREETING],
    "fork_bomb": ["import os\nfor _ in range(100000):\n    try:\n        if os.fork() == 0:\n            import time; time.sleep(600); os._exit(0)\n    except OSError:\n        break", DOUBLE, GREETING],
    # Three cells that keep growing one list: on a busy VM, fresh pages can come slower than 1 GB per 4 s cell timeout.
    "memory_bomb": [DOUBLE, GREETING, *["blocks = globals().get('blocks', [])\nwhile True:\n    blocks.append(bytearray(64 * 1024 * 1024))"] * 3],
    "fill_disk": [
        "import os\nseen = []\nfor folder in ('.', '/tmp'):\n    try:\n        index = 0\n        while True:\n"
        "            with open(os.path.join(folder, f'fill{index}.bin'), 'wb') as handle:\n"
        "                handle.write(b'x' * 4 * 1024 * 1024)\n            index += 1\n"
        "    except OSError as problem:\n        seen.append(type(problem).__name__)",
        DOUBLE,
        (REPORTING, ["ex2"]),
    ],
    "print_flood": ["for _ in range(300000):\n    print('x' * 300)", DOUBLE, GREETING],
    "network_connect": [
        "import socket\nseen = []\nfor host in ('1.1.1.1', '8.8.8.8'):\n    try:\n        socket.create_connection((host, 53), timeout=3)\n        seen.append('connected')\n"
        "    except OSError:\n        seen.append('no network')",
        DOUBLE,
        (REPORTING, ["ex2"]),
    ],
    "read_host_files": [
        "seen = []\nfor path in ('/etc/shadow', '/root/.bashrc', '/var/run/docker.sock'):\n    try:\n        open(path, 'rb').read(10)\n        seen.append('read ' + path)\n"
        "    except OSError:\n        seen.append('refused')",
        DOUBLE,
        (REPORTING, ["ex2"]),
    ],
    "symlink_artifact": [
        "import os\nos.makedirs('../out/probes', exist_ok=True)\nos.symlink('/etc/passwd', '../out/probes/double.json')",
        ("def double(x):\n    raise ValueError('no')", ["ex1"]),
        GREETING,
    ],
    "os_exit_before_probes": [DOUBLE, GREETING, "import os\nos._exit(0)"],
    "kill_kernel": [DOUBLE, GREETING, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"],
    "sigint_ignored": [DOUBLE, "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(0.1)", GREETING],
}


def main() -> None:
    folder = Path(__file__).parent
    for name, cells in NOTEBOOKS.items():
        write_notebook(folder / f"{name}.ipynb", cells)


if __name__ == "__main__":
    main()
