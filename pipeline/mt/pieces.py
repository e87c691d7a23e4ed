"""Split a segment too long for the model at clause boundaries, never truncating.

Boundaries are tried from the most to the least natural: semicolons, then
commas (Latin and Chinese ``，；、``), then whitespace, and as a last resort a
hard cut between characters (Chinese text without punctuation has no other).
Each boundary keeps its punctuation on the left piece; consecutive clauses
are packed back together while they fit, so pieces stay as long as allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["join_pieces", "split_to_fit"]

# Each pattern matches the end of a clause (the split falls after the match).
BOUNDARIES = (
    re.compile(r"[;；]\s*"),
    re.compile(r"[,，、]\s*"),
    re.compile(r"\s+"),
)

Counter = Callable[[list[str]], list[int]]


def _cut(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split after each match of ``pattern``, keeping all characters."""
    parts, start = [], 0
    for match in pattern.finditer(text):
        if match.end() < len(text):
            parts.append(text[start : match.end()])
            start = match.end()
    parts.append(text[start:])
    return [p for p in parts if p]


def _hard_cut(text: str, count: Counter, limit: int) -> list[str]:
    """Cut between characters into the longest prefixes that fit."""
    pieces: list[str] = []
    rest = text
    while rest:
        lo, hi = 1, len(rest)
        while lo < hi:  # binary search the longest prefix that fits
            mid = (lo + hi + 1) // 2
            if count([rest[:mid]])[0] <= limit:
                lo = mid
            else:
                hi = mid - 1
        pieces.append(rest[:lo])
        rest = rest[lo:]
    return pieces


def _pack(parts: list[str], count: Counter, limit: int) -> list[str]:
    """Join consecutive parts while the joined text still fits."""
    pieces: list[str] = []
    for part in parts:
        if pieces and count([(pieces[-1] + part).strip()])[0] <= limit:
            pieces[-1] += part
        else:
            pieces.append(part)
    return pieces


def split_to_fit(text: str, count: Counter, limit: int, level: int = 0) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` tokens each.

    Args:
        text: the segment.
        count: token counter (the translator's ``count_tokens``).
        limit: most tokens per piece (including the end-of-sentence token).
        level: the first boundary kind to try (recursion).

    Returns:
        The pieces, in order; joined they give back ``text`` (whitespace aside).
    """
    if count([text.strip()])[0] <= limit:
        return [text]
    if level >= len(BOUNDARIES):
        return [p for p in (s.strip() for s in _hard_cut(text, count, limit)) if p]
    parts = _cut(text, BOUNDARIES[level])
    if len(parts) == 1:
        return split_to_fit(text, count, limit, level + 1)
    pieces: list[str] = []
    for piece in _pack(parts, count, limit):
        pieces += split_to_fit(piece, count, limit, level + 1)
    return [p.strip() for p in pieces if p.strip()]


def join_pieces(translations: list[str]) -> str:
    """Join the English translations of a segment's pieces."""
    return " ".join(t.strip() for t in translations if t.strip())
