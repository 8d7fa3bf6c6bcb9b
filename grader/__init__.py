"""grader: grades TensorFlow notebooks in a sandbox against a rubric and explains every point."""

__version__ = "0.1.0"
