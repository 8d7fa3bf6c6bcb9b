"""Source injected into the student's kernel after the student's cells: it runs rubric probes.

This file is never imported by the grader; its text is sent as a cell. It defines one callable,
``__grader_probe__(name, function)``, that calls ``probes.<function>(namespace, inputs)`` and writes
what it returns as plain data: scalars, strings and short lists to JSON, numeric arrays to ``.npz``
(never object arrays, so no pickle is ever involved). Tensors are converted with ``.numpy()``. Nothing
here decides a grade: the host re-reads and re-validates everything it writes.

A probe may run *by hand*: ``__grader_probe__(name, function, forbidden)`` calls it with the packages
in ``forbidden`` (e.g. tensorflow, jax, torch) unusable: ``import`` of them fails, the kernel's names
bound to them (``tf``, ``GradientTape``) are swapped for stand-ins that refuse, and a profile hook
refuses any of their code that still runs, reached through a closure, a default argument or an
attribute of another object. Any such use fails the probe with a reason, even if the student's code
caught the refusal. Limits: a function that switches the hook off *and* restores it, or that leaves
work to a thread started before the call, is not seen; C code called without a Python frame (rare
outside torch) is seen only when its ``__module__`` names the package.
"""


def __grader_install(out_dir, inputs_dir, probes_source, max_bytes):
    import json
    import os
    import sys
    import threading
    import types

    import numpy

    probes = {"__name__": "grader_probes"}
    exec(compile(probes_source, "probes.py", "exec"), probes)
    namespace = get_ipython().user_ns  # noqa: F821 - defined in the kernel

    def to_plain(value, key, scalars, arrays):
        if hasattr(value, "numpy") and callable(value.numpy):
            value = value.numpy()
        if isinstance(value, dict):
            for inner, item in value.items():
                to_plain(item, f"{key}.{inner}" if key else str(inner), scalars, arrays)
        elif isinstance(value, (bool, int, float, str)) or value is None:
            scalars[key] = value
        elif isinstance(value, numpy.generic):
            scalars[key] = value.item()
        else:
            array = numpy.asarray(value)
            if array.dtype.kind not in "biuf":
                if array.dtype.kind in "US" and array.size <= 1000:
                    scalars[key] = array.tolist()
                    return
                raise TypeError(f"{key}: not numeric data ({array.dtype})")
            arrays[key] = array

    def explain(problem):
        """The failure as a sentence for the student (the two every template stub produces, in plain words)."""
        if getattr(problem, "explains_itself", False):  # raised by the probe helpers (grader.probes)
            return str(problem)
        trace = problem.__traceback__
        while trace is not None and trace.tb_next is not None:
            trace = trace.tb_next
        last = trace.tb_frame.f_code if trace is not None else None  # where it was raised
        if isinstance(problem, KeyError) and problem.args and isinstance(problem.args[0], str) and problem.args[0] not in namespace and last and last.co_filename == "probes.py":
            return f"your notebook defines no {problem.args[0]} (did its cell run without errors?)"
        if isinstance(problem, NotImplementedError) and not str(problem) and last and last.co_filename != "probes.py":
            return f"your {last.co_name} still raises the template's NotImplementedError"
        return f"{type(problem).__name__}: {problem}"

    class ForbiddenUse(Exception):
        explains_itself = True

    class Unavailable:
        """Stands in for a kernel name bound to a forbidden package while a by-hand probe runs."""

        def __init__(self, guard, label):
            object.__setattr__(self, "_guard", guard)
            object.__setattr__(self, "_label", label)

        def __getattr__(self, attribute):
            self._guard.refuse(self._label)

        def __call__(self, *args, **kwargs):
            self._guard.refuse(self._label)

    class Forbidding:
        """While active, the packages named cannot be imported, reached by name or run (see the docstring)."""

        def __init__(self, packages):
            self.packages = tuple(packages)
            self.used = None

        def ours(self, module_name):
            return isinstance(module_name, str) and any(module_name == p or module_name.startswith(p + ".") for p in self.packages)

        def refuse(self, what):
            if self.used is None:
                self.used = what
            raise ForbiddenUse(self.message())

        def message(self):
            return (
                f"your code used {self.used} while the grader called it with {', '.join(self.packages)} unavailable: "
                "this exercise is to be worked out by hand (NumPy only), so code that relies on them (automatic differentiation, say) earns no points here"
            )

        def hook(self, frame, event, arg):
            if event == "call" and frame.f_code.co_filename.startswith(self.roots):
                self.refuse(frame.f_globals.get("__name__", frame.f_code.co_filename))
            elif event == "c_call" and self.ours(getattr(arg, "__module__", None)):
                self.refuse(f"{arg.__module__}.{getattr(arg, '__name__', '?')}")

        def __enter__(self):
            self.modules = {key: module for key, module in sys.modules.items() if self.ours(key)}
            roots = []
            for key in self.packages:
                module = self.modules.get(key)
                roots += [os.path.join(folder, "") for folder in getattr(module, "__path__", [])]
            self.roots = tuple(roots) or ("\0",)
            for key in set(self.modules) | set(self.packages):
                sys.modules[key] = Unavailable(self, f"{key} (imported)")  # what "import tensorflow" now gets
            self.names = {}
            for key, value in list(namespace.items()):
                try:
                    owner = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
                except Exception:  # noqa: BLE001 - an odd object is no package of ours
                    continue
                if self.ours(owner):
                    self.names[key] = value
                    namespace[key] = Unavailable(self, f"{key} ({owner})")
            self.hook_in_use = self.hook
            self.previous = (sys.getprofile(), threading.getprofile())  # a live kernel may have its own
            sys.setprofile(self.hook_in_use)
            threading.setprofile(self.hook_in_use)
            return self

        def __exit__(self, kind, problem, trace):
            switched_off = sys.getprofile() is not self.hook_in_use
            sys.setprofile(self.previous[0])
            threading.setprofile(self.previous[1])
            for key in set(self.modules) | set(self.packages):
                if key in self.modules:
                    sys.modules[key] = self.modules[key]
                else:
                    sys.modules.pop(key, None)
            for key, value in self.names.items():
                namespace[key] = value
            if switched_off and self.used is None:
                self.used = "sys.setprofile (it switched off the grader's watch)"
            if self.used is not None:
                raise ForbiddenUse(self.message())
            return False

    def run(name, function, forbidden=()):
        target = os.path.join(out_dir, name)
        try:
            inputs = {}
            path = os.path.join(inputs_dir, name + ".npz")
            if os.path.exists(path):
                with numpy.load(path, allow_pickle=False) as stored:
                    inputs = {key: stored[key] for key in stored.files}
            scalars, arrays = {}, {}
            if forbidden:
                with Forbidding(forbidden):
                    returned = probes[function](namespace, inputs)
            else:
                returned = probes[function](namespace, inputs)
            to_plain(returned, "", scalars, arrays)
            if sum(array.nbytes for array in arrays.values()) > max_bytes:
                raise ValueError("probe output is larger than the grader accepts")
            if arrays:
                numpy.savez(target + ".npz", **arrays)
            record = {"ok": True, "values": scalars, "arrays": sorted(arrays)}
        except BaseException as problem:  # noqa: BLE001 - KeyboardInterrupt comes from the timeout
            record = {"ok": False, "error": explain(problem)[:1000]}
        with open(target + ".json", "w") as handle:
            json.dump(record, handle)

    return run
