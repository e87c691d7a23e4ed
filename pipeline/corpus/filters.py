"""OpusFilter-style corpus filters, scored apart from deciding.

Each filter gives a pair a score and a pass/fail decision on that score:

- ``length_ratio``: the longer side's length over the shorter's, in words, a Han
  character counting as one word (OpusFilter's ``LengthRatioFilter``, unit ``word``
  for Latin script and ``char`` for Chinese); fails above ``max_length_ratio``.
- ``lang_id``: the language of each side, by script and a seeded langdetect
  (:func:`pipeline.text.language.detect_language`); fails when a side is clearly
  in another language than its column says (``und``, too short to tell, passes).
- ``near_duplicate``: source and translation normalized (NFKC, case-folded,
  punctuation and spacing dropped, digits kept); fails for every pair after the
  first with the same normalized pair (exact ``dedupe`` is the strict form).
- ``flags``: the translation's quality flags (:mod:`pipeline.mt.quality`): those
  named by ``drop_flagged``, or any flag.

:class:`FilterChain` scores every enabled filter on every pair, counts
``failed`` per filter, and drops a pair at the first failing enabled filter
(``dropped``), so the counts tell both what each filter would remove and what it did.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.text.language import UND, detect_language
from pipeline.text.unicode_scripts import han_count

__all__ = ["FILTERS", "FilterChain", "length_ratio", "normalized_key"]

FILTERS = ("flags", "length_ratio", "lang_id", "near_duplicate")
ANY_FLAG = "any"
_NON_WORD = re.compile(r"[\W_]+")


def _length(text: str) -> int:
    han = han_count(text)
    return han + len(re.sub(r"[\u3400-\u9fff\uf900-\ufaff]", " ", text).split())


def length_ratio(source: str, translation: str) -> float:
    """The longer side's length over the shorter's (words; a Han character is a word)."""
    a, b = _length(source), _length(translation)
    return max(a, b) / max(min(a, b), 1)


def normalized_key(*texts: str) -> bytes:
    """A digest of texts normalized for near-duplicate detection."""
    parts = (_NON_WORD.sub(" ", unicodedata.normalize("NFKC", t).casefold()).split() for t in texts)
    key = "\x00".join(" ".join(p) for p in parts)
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass(frozen=True)
class FilterSettings:
    """Which filters run and their thresholds.

    Attributes:
        enabled: filter names (from :data:`FILTERS`) that drop pairs.
        drop_flagged: the quality flags the ``flags`` filter drops (``any`` or none
            named: every flag).
        max_length_ratio: the ``length_ratio`` threshold.
        seed: the langdetect seed of ``lang_id``.
    """

    enabled: tuple[str, ...] = ()
    drop_flagged: tuple[str, ...] = ()
    max_length_ratio: float = 3.0
    seed: int = 0


class FilterChain:
    """Score and decide the filters on a stream of pairs; see the module docstring.

    Args:
        settings: the filters.
    """

    def __init__(self, settings: FilterSettings) -> None:
        self.settings = settings
        self.failed: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()
        self._seen: set[bytes] = set()

    def _fails(self, name: str, pair: tuple[str, str, str, str, Iterable[str]]) -> bool:
        src_lang, tgt_lang, source, translation, flags = pair
        s = self.settings
        if name == "flags":
            wanted = set(s.drop_flagged or (ANY_FLAG,))
            return bool(flags) and (ANY_FLAG in wanted or bool(wanted.intersection(flags)))
        if name == "length_ratio":
            return length_ratio(source, translation) > s.max_length_ratio
        if name == "lang_id":
            found = (detect_language(source, s.seed)[0], detect_language(translation, s.seed)[0])
            return any(
                f not in (UND, want) for f, want in zip(found, (src_lang, tgt_lang), strict=True)
            )
        key = normalized_key(src_lang, tgt_lang, source, translation)
        if key in self._seen:
            return True
        self._seen.add(key)
        return False

    def check(
        self, src_lang: str, tgt_lang: str, source: str, translation: str, flags: Iterable[str]
    ) -> str | None:
        """The first enabled filter the pair fails (it is counted), or None to keep it."""
        pair = (src_lang, tgt_lang, source, translation, tuple(flags))
        first = None
        for name in FILTERS:
            if name not in self.settings.enabled:
                continue
            if self._fails(name, pair):
                self.failed[name] += 1
                first = first or name
        if first is not None:
            self.dropped[first] += 1
        return first

    def summary(self) -> dict[str, dict[str, object]]:
        """Per filter: enabled, pairs failing it, pairs it dropped (its first failure)."""
        return {
            name: {
                "enabled": name in self.settings.enabled,
                "failed": self.failed.get(name, 0),
                "dropped": self.dropped.get(name, 0),
            }
            for name in FILTERS
        }
