"""The run directory: the name of every file the stages read and write, defined once.

A stage finds its input and writes its output under ``<out>/`` by these names;
the report looks the optional ones up beside ``documents.jsonl``.
"""

from __future__ import annotations

__all__ = [
    "ALIGNMENTS",
    "CACHE",
    "CLAIMS",
    "DOCUMENTS",
    "EVALUATION",
    "EVENTS",
    "EXPORT",
    "EXPORT_SUMMARY",
    "MANIFEST",
    "REPORT",
    "SEGMENTS",
    "TRANSLATIONS",
    "TRANSLATIONS_TEXT",
]

DOCUMENTS = "documents.jsonl"  # ingest writes it, detect rewrites it with languages
SEGMENTS = "segments.jsonl"  # segment
TRANSLATIONS = "translations.jsonl"  # translate
TRANSLATIONS_TEXT = "translations.txt"  # translate --lines: one line per input line
CACHE = "cache.sqlite"  # translate's cache, unless --cache names another
CLAIMS = "claims.jsonl"  # align
ALIGNMENTS = "alignments.jsonl"  # align
EVENTS = "events.jsonl"  # align
EXPORT = "export"  # export's folder
EXPORT_SUMMARY = "summary.json"  # inside EXPORT
REPORT = "report.html"  # report
EVALUATION = "evaluation.json"  # evaluate
MANIFEST = "manifest.json"  # every stage
