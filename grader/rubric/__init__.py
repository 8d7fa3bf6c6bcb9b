"""Rubrics: the YAML format (models) and how an assignment is found and loaded (loading)."""

from grader.rubric.loading import Assignment, find_course_dir, list_assignments, load_assignment, parse_rubric
from grader.rubric.models import ProbeSpec, Rubric

__all__ = ["Assignment", "ProbeSpec", "Rubric", "find_course_dir", "list_assignments", "load_assignment", "parse_rubric"]
