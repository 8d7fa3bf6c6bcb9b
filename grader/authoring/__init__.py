"""Authoring assignments: the source notebook with solution markers and what is generated from it."""
