"""Corpus formats and translation metrics."""
