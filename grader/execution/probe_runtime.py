"""Source injected into the student's kernel after the student's cells: it runs rubric probes.

This file is never imported by the grader; its text is sent as a cell. It defines one callable,
``__grader_probe__(name, function)``, that calls ``probes.<function>(namespace, inputs)`` and writes
what it returns as plain data: scalars, strings and short lists to JSON, numeric arrays to ``.npz``
(never object arrays, so no pickle is ever involved). Tensors are converted with ``.numpy()``. Nothing
here decides a grade: the host re-reads and re-validates everything it writes.
"""


def __grader_install(out_dir, inputs_dir, probes_source, max_bytes):
    import json
    import os

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

    def run(name, function):
        target = os.path.join(out_dir, name)
        try:
            inputs = {}
            path = os.path.join(inputs_dir, name + ".npz")
            if os.path.exists(path):
                with numpy.load(path, allow_pickle=False) as stored:
                    inputs = {key: stored[key] for key in stored.files}
            scalars, arrays = {}, {}
            to_plain(probes[function](namespace, inputs), "", scalars, arrays)
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
