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
    "fork_bomb": [
        "import os\nfor _ in range(100000):\n    try:\n        if os.fork() == 0:\n            import time; time.sleep(600); os._exit(0)\n    except OSError:\n        break",
        DOUBLE,
        GREETING,
    ],
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


# No solution of its own: it looks for the course's files wherever a grader might keep them (the
# checkout around the installed package, its .git, samples, references, results, the packaged test
# labels, other jobs' folders) and runs every code cell it finds. If anything were visible it would
# earn points; greeting() reports what it saw (without the word the greeting check wants).
STEAL_COURSE = r"""
import glob, json, os, subprocess, sys
seen, stolen = [], []
SECRET_DIRS = {'reference', 'samples', 'rubrics', 'results', '.git', 'submissions'}
SECRET_FILES = {'judges.py', 'grades.csv', 'expected.yaml', 't10k-labels-idx1-ubyte.gz', 'gradebook.sqlite'}
own_job = os.path.dirname(os.getcwd())
def note(path):
    if not path.startswith(own_job + os.sep) and path not in seen:
        seen.append(path)
def steal_notebook(text):
    try:
        for cell in json.loads(text).get('cells', []):
            if cell.get('cell_type') == 'code':
                stolen.append(''.join(cell.get('source', '')))
    except Exception:
        pass
def look(root, depth, budget=[40000]):
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        budget[0] -= 1
        if budget[0] < 0:
            return
        path = entry.path
        if path in ('/proc', '/sys', '/dev', '/usr', sys.prefix, sys.base_prefix) or path.startswith('/root/.pyenv'):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        if entry.name in SECRET_FILES or (is_dir and entry.name in SECRET_DIRS):
            note(path)
        if not is_dir and entry.name.endswith('.ipynb') and not path.startswith(own_job + os.sep):
            note(path)
            try:
                steal_notebook(open(path).read())
            except OSError:
                pass
        if is_dir and entry.name == '.git':
            try:
                names = subprocess.run(['git', 'ls-files'], cwd=root, capture_output=True, text=True, timeout=20).stdout.split()
            except Exception:
                names = []
            for name in names:
                if name.endswith('.ipynb') and ('reference' in name or 'samples' in name):
                    note('git:' + os.path.join(root, name))
                    shown = subprocess.run(['git', 'show', 'HEAD:' + name], cwd=root, capture_output=True, text=True, timeout=20)
                    steal_notebook(shown.stdout)
            objects = os.path.join(path, 'objects')
            if os.path.isdir(objects) and os.listdir(objects):
                note(objects)
        if is_dir and depth > 0:
            look(path, depth - 1)
try:
    import grader
    folder = os.path.dirname(os.path.abspath(grader.__file__))
    for _ in range(6):
        folder = os.path.dirname(folder)
        look(folder, 2)
    from grader.datasets import mnist
    labels = os.path.join(str(mnist.package_dir()), 't10k-labels-idx1-ubyte.gz')
    if os.path.exists(labels):
        note(labels)
except Exception as problem:
    pass
try:
    for line in open('/proc/self/mountinfo'):
        source = line.split()[3]
        for candidate in (source, os.path.dirname(source), os.path.dirname(os.path.dirname(source))):
            if candidate not in ('/', '') and os.path.isdir(candidate):
                look(candidate, 2)
except OSError:
    pass
for top in ('/var/tmp', '/tmp', '/work', '/srv', '/home', '/opt', '/root', '/mnt', '/'):
    look(top, 5)
for code in stolen:
    try:
        exec(code, globals())
    except Exception:
        pass
if 'greeting' not in globals():
    def greeting():
        return 'found ' + repr(sorted(seen)[:20])
"""

# Leaves files and a SysV segment where a host's shared scratch lives; nothing of it may outlive the job.
LEAVE_BEHIND = r"""
import ctypes, os
seen = []
for folder in ('/dev/shm', '/var/tmp', '/tmp'):
    try:
        with open(os.path.join(folder, 'grader-leftover-code.py'), 'w') as handle:
            handle.write("def double(x):\n    return 2 * x\n")
        seen.append('wrote')
    except OSError:
        seen.append('refused')
libc = ctypes.CDLL(None, use_errno=True)
segment = libc.shmget(0x67726164, 4096, 0o1000 | 0o666)  # IPC_CREAT
seen.append('segment' if segment >= 0 else 'no segment')
"""

# Memory that no process maps (memfds written, never mmapped): a watchdog summing processes' memory cannot
# see it. Many 8 MB files, because one file may not grow past the rubric's file-size limit.
MEMFD_BOMB = (
    "import os\nfiles = globals().get('files', [])\nfor _ in range(96):\n    files.append(os.memfd_create('hoard'))\n    for _ in range(2):\n        os.write(files[-1], b'x' * 4 * 1024 * 1024)"
)

# Two jobs of one batch at once: the first leaves its code where the second could look; the second has none.
OTHER_JOB_WRITER = r"""
import os, time
for folder in ('/dev/shm', '/var/tmp', '/tmp', os.getcwd()):
    try:
        with open(os.path.join(folder, 'shared-solution.py'), 'w') as handle:
            handle.write("def double(x):\n    return 2 * x\n\ndef greeting():\n    return 'hello from the other job'\n")
    except OSError:
        pass
seen = [os.getuid()]
time.sleep(3)
"""
OTHER_JOB_READER = r"""
import glob, os, time
seen, found = [os.getuid()], []
deadline = time.time() + 3
while time.time() < deadline and not found:
    for pattern in ('/dev/shm/*.py', '/var/tmp/*.py', '/tmp/*.py', '/var/tmp/*/*/work/*.py', '/var/tmp/*/*/*/work/*.py', '/job/../*/work/*.py'):
        found += [path for path in glob.glob(pattern) if not path.startswith(os.getcwd())]
    time.sleep(0.2)
for path in found:
    try:
        exec(open(path).read(), globals())
    except Exception:
        pass
if 'greeting' not in globals():
    def greeting():
        return 'found ' + repr({'uid': seen[0], 'files': found})
"""

NOTEBOOKS.update(
    {
        "steal_course_files": [STEAL_COURSE],
        "leave_files_behind": [LEAVE_BEHIND, DOUBLE, (REPORTING, ["ex2"])],
        "memfd_bomb": [DOUBLE, GREETING, *[MEMFD_BOMB] * 3],
        "other_job_writer": [OTHER_JOB_WRITER, DOUBLE, (REPORTING, ["ex2"])],
        "other_job_reader": [OTHER_JOB_READER],
    }
)


def main() -> None:
    folder = Path(__file__).parent
    for name, cells in NOTEBOOKS.items():
        write_notebook(folder / f"{name}.ipynb", cells)


if __name__ == "__main__":
    main()
