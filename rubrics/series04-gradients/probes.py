"""Series 4 probes: run in the student's kernel after their notebook; return plain numbers, arrays and strings.

Each function gets the kernel namespace and the grader-chosen inputs (numpy float64 arrays, one case per
row of the first axis) and calls the student's function once per case, on copies (a function that
modifies its arguments cannot change the next case). Nothing is judged here.
"""


def _student(ns, name):
    """The student's function, or an error that says what is missing in words."""
    if name not in ns:
        raise NameError(f"{name} is not defined after your notebook ran")
    function = ns[name]

    def call(*args):
        try:
            return function(*args)
        except NotImplementedError as placeholder:
            if str(placeholder):
                raise
            raise NotImplementedError(f"{name} still raises the template's NotImplementedError") from None

    return call


def _stacked(results):
    import numpy as np

    return np.stack([np.asarray(result, dtype=np.float64) for result in results])


def sq_norm(ns, inputs):
    grad_sq_norm = _student(ns, "grad_sq_norm")
    return {"grads": _stacked(grad_sq_norm(W.copy(), x.copy()) for W, x in zip(inputs["W"], inputs["x"]))}


def trace(ns, inputs):
    grad_trace = _student(ns, "grad_trace")
    return {"grads": _stacked(grad_trace(A.copy(), B.copy()) for A, B in zip(inputs["A"], inputs["B"]))}


def hessian(ns, inputs):
    diag_hessian = _student(ns, "diag_hessian")
    layers = [[], [], []]
    for W1, W2, W3, x, t in zip(inputs["W1"], inputs["W2"], inputs["W3"], inputs["x"], inputs["t"]):
        result = list(diag_hessian([W1.copy(), W2.copy(), W3.copy()], x.copy(), t.copy()))
        if len(result) != 3:
            raise ValueError(f"diag_hessian returned {len(result)} arrays; one per weight matrix (3) was expected")
        for layer, value in zip(layers, result):
            layer.append(value)
    return {"W1": _stacked(layers[0]), "W2": _stacked(layers[1]), "W3": _stacked(layers[2])}


def complexity(ns, inputs):
    missing = [name for name in ("complexity_diag", "complexity_full") if name not in ns]
    if missing:
        raise NameError(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not defined after your notebook ran")
    return {"diag": str(ns["complexity_diag"])[:500], "full": str(ns["complexity_full"])[:500]}
