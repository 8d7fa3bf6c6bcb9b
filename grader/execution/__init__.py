"""Running a notebook: the in-sandbox runner and kernel client (runner, notebook, job, probe_runtime) and
the host-side readers of what comes back (loading, artifacts, live). Importing this package loads nothing."""
