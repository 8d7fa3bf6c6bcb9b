"""Series 1 probes: build the student's compression graph in fresh TF1 graphs and report plain data.

``build_compression(d, d_prime, n)`` is called once per grader-chosen case, each time in a new graph,
with every get_variable call recorded (``grader.probes.tf1``). Verdicts are computed by the grader.
"""

from grader.probes import defined, tf1


def _outputs(built, x_value):
    """Tensor descriptions and values of (x, x_prime, x_tilde) for the grader's x, or why there are none."""
    result = built.result
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        return {"error": f"build_compression must return (x, x_prime, x_tilde); it returned {type(result).__name__}"}, None
    x, x_prime, x_tilde = result
    outputs = {name: tf1.tensor_summary(tensor) for name, tensor in (("x", x), ("x_prime", x_prime), ("x_tilde", x_tilde))}
    session = None
    try:
        session = tf1.initialized_session(built.graph)
        outputs["x_prime_value"], outputs["x_tilde_value"] = session.run([x_prime, x_tilde], {x: x_value})
    except Exception as problem:  # noqa: BLE001 - the student's graph failing is data for the judge
        outputs["error"] = f"running the graph raised {type(problem).__name__}: {str(problem).splitlines()[0][:300]}"
    return outputs, session


def compression(ns, inputs):
    graphs, outputs = {}, {}
    for index, (d, d_prime, n) in enumerate(inputs["cases"].tolist()):
        built = tf1.run_in_fresh_graph(defined(ns, "build_compression"), int(d), int(d_prime), int(n))
        session = None
        if built.ok:
            outputs[str(index)], session = _outputs(built, inputs[f"x_{index}"])
        graphs[str(index)] = tf1.graph_summary(built, session)
        if session is not None:
            session.close()
    return {"graphs": graphs, "outputs": outputs}


def again(ns, inputs):
    """The same call twice, each in its own new graph: both graphs must be complete and independent."""
    d, d_prime, n = (int(value) for value in inputs["case"].tolist())
    graphs, own_graph, ran = {}, [], []
    for index in range(2):
        built = tf1.run_in_fresh_graph(defined(ns, "build_compression"), d, d_prime, n)
        graphs[str(index)] = tf1.graph_summary(built)
        tensors = list(built.result) if built.ok and isinstance(built.result, (tuple, list)) else []
        own_graph.append(int(bool(tensors) and all(getattr(tensor, "graph", None) is built.graph for tensor in tensors)))
        try:
            tf1.evaluate(built.graph, tensors[2], {tensors[0]: inputs["x"]})
            ran.append(1)
        except Exception:  # noqa: BLE001 - judged on the host from the flags
            ran.append(0)
    return {"graphs": graphs, "own_graph": own_graph, "ran": ran}
