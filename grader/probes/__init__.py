"""Helpers for rubric probes: code that runs *inside* the sandbox, in the student's kernel.

A rubric's ``probes.py`` may import these (``from grader.probes import tf1``). They only collect plain
data (numbers, numeric arrays, lists of strings) for the grader to judge outside the sandbox; nothing
here decides a grade. Modules import only the standard library at import time: numpy and TensorFlow are
imported inside the functions that need them.
"""


class MissingName(NameError):
    """The notebook does not define a name the grader calls; the message is the student's reason."""

    explains_itself = True  # the probe runtime reports the message alone, without the class name


def defined(namespace: dict, name: str):
    """The student's ``name`` from the kernel namespace; ``MissingName`` when the notebook never defined it."""
    if name not in namespace:
        raise MissingName(f"the notebook does not define {name} (run every cell and keep the template's names)")
    return namespace[name]
