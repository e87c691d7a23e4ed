"""Quality flags on a translation: raw numbers for reviewers, and names above thresholds.

Scores are kept apart from decisions (as in OpusFilter): :func:`assess` returns
the raw numbers (``quality``) and the names of the checks that fail at the
default thresholds (``flags``), so thresholds can change without retranslating.

Checks: numbers of the source missing from the translation (Vietnamese
``3,8 tỷ`` = 3.8 billion, Chinese ``400亿`` = 40 billion, Chinese numerals,
``300.000`` = 300,000, month names), repeated n-grams, a translation much
shorter or longer than the source (Chinese characters count as 3.5 English
characters), source words copied through untranslated, and an empty
translation of a non-empty source (OPUS-MT answers emoji-only or
out-of-vocabulary input with nothing: transformers #15323).
"""

from __future__ import annotations

import re
from collections import Counter

from pipeline.text.numerals import number_values
from pipeline.text.unicode_scripts import HAN

__all__ = ["THRESHOLDS", "assess", "copy_ratio", "length_ratio", "repetition"]

HAN_WEIGHT = 3.5  # English characters per Chinese character, roughly
WORD = re.compile(r"\w+", re.UNICODE)

THRESHOLDS = {
    "min_length_ratio": 0.5,
    "max_length_ratio": 2.0,
    "min_expected_chars": 20.0,
    "max_ngram_repeats": 3,
    "max_token_run": 4,
    "max_copy_ratio": 0.5,
}


def length_ratio(source: str, translation: str) -> tuple[float, float]:
    """Translation length over the source's expected English length.

    Returns:
        (ratio, expected English characters of the source).
    """
    han = len(HAN.findall(source))
    other = len(re.sub(r"\s+", " ", source).strip()) - han
    expected = han * HAN_WEIGHT + other
    actual = len(re.sub(r"\s+", " ", translation).strip())
    return (actual / expected if expected else 1.0), expected


def repetition(translation: str, n: int = 3) -> tuple[int, int]:
    """Repetition in a translation.

    Returns:
        (most occurrences of one word n-gram, longest run of one repeated token).
    """
    tokens = translation.lower().split()
    grams = Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    most = max(grams.values(), default=0)
    run = best = 0
    for i, token in enumerate(tokens):
        run = run + 1 if i and token == tokens[i - 1] else 1
        best = max(best, run)
    return most, best


def copy_ratio(source: str, translation: str) -> tuple[float, int]:
    """Share of the source's foreign content found verbatim in the translation.

    Content is each Chinese character, and each word holding a non-ASCII
    letter (Vietnamese words with diacritics); ASCII words (names, acronyms)
    are legitimately copied and are not counted.

    Returns:
        (ratio, number of content units in the source).
    """
    han = HAN.findall(source)
    words = [w.lower() for w in WORD.findall(source) if not w.isascii() and not HAN.search(w)]
    units = len(han) + len(words)
    if not units:
        return 0.0, 0
    target_words = {w.lower() for w in WORD.findall(translation)}
    copied = sum(1 for ch in han if ch in translation) + sum(1 for w in words if w in target_words)
    return copied / units, units


def missing_numbers(source: str, translation: str) -> tuple[int, int]:
    """Numbers of the source whose value the translation does not state.

    Returns:
        (numbers in the source, how many of them are missing).
    """
    found = number_values(source)
    target = {round(v, 6) for cands in number_values(translation) for v in cands}
    missing = sum(1 for cands in found if not any(round(v, 6) in target for v in cands))
    return len(found), missing


def assess(source: str, translation: str) -> tuple[tuple[str, ...], dict[str, float]]:
    """Quality numbers and flags of one translation.

    Returns:
        (flag names, raw numbers).
    """
    t = THRESHOLDS
    numbers, missing = missing_numbers(source, translation)
    ratio, expected = length_ratio(source, translation)
    grams, run = repetition(translation)
    copied, units = copy_ratio(source, translation)
    quality = {
        "numbers_source": float(numbers),
        "numbers_missing": float(missing),
        "length_ratio": round(ratio, 3),
        "ngram_repeats": float(grams),
        "token_run": float(run),
        "copy_ratio": round(copied, 3),
    }
    flags = []
    if missing:
        flags.append("numbers_missing")
    if grams >= t["max_ngram_repeats"] or run >= t["max_token_run"]:
        flags.append("repetition")
    if expected >= t["min_expected_chars"] and ratio < t["min_length_ratio"]:
        flags.append("too_short")
    if expected >= t["min_expected_chars"] and ratio > t["max_length_ratio"]:
        flags.append("too_long")
    if units >= 2 and copied >= t["max_copy_ratio"]:
        flags.append("copied_source")
    if source.strip() and not translation.strip():
        flags.append("empty")
    return tuple(flags), quality
