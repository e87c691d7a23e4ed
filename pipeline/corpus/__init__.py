"""Corpus formats (parallel, and comparable from events) and translation metrics."""
