"""Claims and their clusters across documents: selection, similarity, scoring, verdicts."""
