"""Sentence splitting for Vietnamese, Chinese and English news text.

A candidate boundary is a run of terminators (``. ! ? … ...`` and the CJK
``。！？；``) with the closing quotes and brackets that follow it, so a
sentence ending inside ``“…。”`` keeps its closing quote. CJK terminators always
end a sentence. After a Latin terminator the sentence ends only when
whitespace (or a Han character) follows and the next word does not start with a
lower-case letter, and not after an abbreviation (``Mr.``, ``ThS.``,
``PGS.TS.``, ``TP.``), a dotted initialism (``U.S.``) or an initial
(``J. Biden``). Numbers (``3,8``, ``300.000``, ``8/4/2017``) and ``TP.HCM`` have
no space after the dot, so they never split. A piece without any letter (a list
number such as ``1.``) joins the next sentence.
"""

from __future__ import annotations

import itertools
import re

from pipeline.text.unicode_scripts import is_han

__all__ = ["ABBREVIATIONS", "split_sentences"]

_CJK_END = "。！？；"
_CLOSERS = "”’\"'»」』）)]】"
_OPENERS = "“‘\"'«「『（([【-–—"
_BOUNDARY = re.compile(rf"(?:\.{{2,}}|…+|[.!?]+|[{_CJK_END}]+[.!?…]*)[{re.escape(_CLOSERS)}]*")
_INITIALISM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")

# Abbreviations (case-sensitive, without their final dot) after which a capital
# letter does not start a new sentence: titles and name prefixes.
_EN_TITLES = """
Mr Mrs Ms Dr Prof Sr Jr St Gen Lt Col Capt Sgt Maj Adm Cmdr Gov Sen Rep Rev Hon Pres Supt
No Nos Vol Fig Art Sec Ch Ft Mt vs Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec e.g i.e
approx est
"""
# Vietnamese: academic and professional titles (ThS. = thạc sĩ, PGS.TS. = phó giáo
# sư tiến sĩ), place prefixes (TP. = thành phố, TX. = thị xã), tr. = trang.
_VI_TITLES = "ThS Th.S Ths TS GS PGS BS ThBS KS CN NCS TP Tp TX tr"
_EN_ABBREVIATIONS = frozenset(_EN_TITLES.split())
_VI_ABBREVIATIONS = frozenset(_VI_TITLES.split())
ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": _EN_ABBREVIATIONS,
    "vi": _VI_ABBREVIATIONS | _EN_ABBREVIATIONS,
}


def split_sentences(text: str, lang: str = "und") -> list[str]:
    """Split a paragraph into sentences.

    Args:
        text: one paragraph (inner newlines count as spaces).
        lang: its language; chooses the abbreviation list (Vietnamese and
            English titles for any language but English).

    Returns:
        The sentences, stripped, in order; their text is otherwise unchanged.
    """
    abbreviations = ABBREVIATIONS.get(lang, ABBREVIATIONS["vi"])
    cuts = [0]
    for match in _BOUNDARY.finditer(text):
        if _ends_sentence(text, match, abbreviations):
            cuts.append(match.end())
    cuts.append(len(text))
    spans = [(a, b) for a, b in itertools.pairwise(cuts) if text[a:b].strip()]
    return [text[a:b].strip() for a, b in _join_letterless(text, spans)]


def _ends_sentence(text: str, match: re.Match[str], abbreviations: frozenset[str]) -> bool:
    end = match.end()
    if end >= len(text):
        return True
    terminator = match.group()
    if any(ch in _CJK_END for ch in terminator):
        return True
    following = text[end]
    if is_han(following[:1]):
        return not (terminator == "." and text[match.start() - 1 : match.start()].isdigit())
    if not following.isspace():
        return False
    nxt = _next_significant(text, end)
    if nxt is None:
        return True
    if nxt.islower():
        return False
    if terminator.rstrip(_CLOSERS) == ".":
        return not _is_abbreviation(_word_before(text, match.start()), abbreviations)
    return True


def _next_significant(text: str, pos: int) -> str | None:
    """The first character after ``pos`` that is neither space nor an opening mark."""
    for ch in text[pos:]:
        if not ch.isspace() and ch not in _OPENERS:
            return ch
    return None


def _word_before(text: str, pos: int) -> str:
    """The non-space run ending at ``pos``, without leading opening marks."""
    begin = pos
    while begin > 0 and not text[begin - 1].isspace():
        begin -= 1
    return text[begin:pos].lstrip(_OPENERS)


def _is_abbreviation(word: str, abbreviations: frozenset[str]) -> bool:
    if not word:
        return False
    if word in abbreviations or _INITIALISM.match(word):
        return True
    if len(word) == 1 and word.isupper():
        return True  # an initial: "J. Biden"
    parts = word.split(".")
    return len(parts) > 1 and all(p in abbreviations for p in parts)  # "PGS.TS"


def _join_letterless(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join spans without any letter (``1.``, ``”``) to the next one (or the last)."""
    out: list[tuple[int, int]] = []
    pending: int | None = None
    for a, b in spans:
        if not any(ch.isalpha() for ch in text[a:b]):
            pending = a if pending is None else pending
            continue
        out.append((a if pending is None else pending, b))
        pending = None
    if pending is not None:
        if out:
            out[-1] = (out[-1][0], spans[-1][1])
        else:
            out.append((pending, spans[-1][1]))
    return out
