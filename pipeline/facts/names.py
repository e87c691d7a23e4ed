"""Person names the gazetteer does not know, in Latin script.

A name is a run of capitalized words that reads like a person's name: two or
more name-shaped words (``Jane Doe``, ``Tod Wolters``), or any after a title
(``Mr Smith``, ``thiếu tá Minh Tuấn``). Its key is its ASCII-folded last word,
which is how Western names are cut short (``Lloyd Austin`` -> ``Austin``) and
how Vietnamese people are named (``Nguyễn Quang Khai`` -> ``Khai``).

Organizations and places are not guessed: a wrong ``who`` key is worse than a
missing one when claims are compared, so runs naming an organization or place
(``Reform Commission``, ``East Asia``) and heading text (``Table B``) are left
out. In Vietnamese, runs of Vietnamese syllables count only after a title,
since every word of a Vietnamese place or organization is capitalized too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.text.unicode_scripts import ascii_fold

__all__ = ["TITLES", "UPPER", "fold", "last_word_key", "strip_titles", "unknown_names"]

TITLES = frozenset((
    "mr", "mrs", "ms", "dr", "lord", "sir", "general", "gen", "lt", "col", "colonel", "major",
    "maj", "admiral", "adm", "captain", "capt", "president", "minister", "secretary",
    "spokesman", "spokeswoman", "spokesperson", "senator", "sen", "rep", "chancellor",
    "ambassador", "prime", "premier", "governor", "mayor", "king", "queen", "prince",
    "princess", "pope", "columnist", "columnists", "reporter", "reporters", "ông", "bà", "tướng",
))  # fmt: skip
_VI_TITLE = re.compile(
    r"(?i:\b(?:ông|bà|tướng|thiếu tướng|trung tướng|đại tướng|thượng tướng|thiếu tá|trung tá|"
    r"đại tá|đại úy|tổng thống|thủ tướng|ngoại trưởng|bộ trưởng|người phát ngôn|"
    r"phát ngôn viên|chủ tịch|tổng thư ký|giám đốc|cố vấn|đại sứ|nghị sĩ)\s+)$"
)
_EN_STOP = frozenset((
    "the", "a", "an", "but", "and", "or", "in", "on", "at", "it", "he", "she", "they", "we",
    "i", "this", "that", "these", "those", "however", "according", "after", "before", "when",
    "while", "since", "as", "if", "for", "from", "with", "by", "to", "of", "his", "her",
    "their", "its", "our", "there", "here", "what", "who", "why", "how", "not", "no", "yes",
    "also", "then", "so", "see",
))  # fmt: skip
_LEADING = TITLES | _EN_STOP
# Words that make a capitalized run an organization, a place or a heading, not a person.
_NOT_PERSON = frozenset((
    "ministry", "department", "council", "agency", "committee", "command", "party", "union",
    "organization", "organisation", "parliament", "congress", "senate", "house", "army",
    "navy", "force", "forces", "bank", "fund", "group", "systems", "news", "times", "post",
    "company", "corporation", "university", "institute", "office", "service", "commission",
    "administration", "bureau", "authority", "association", "federation", "republic",
    "court", "assembly", "government", "police", "guard", "fleet", "brigade", "division",
    "asia", "africa", "america", "europe", "sea", "ocean", "river", "island", "islands",
    "province", "region", "city", "county", "state", "states", "strait", "gulf", "bay",
    "peninsula", "valley", "kong", "district", "street", "road", "bridge", "square", "airport",
    "chief", "chiefs", "staff", "joint", "line", "hot", "national", "security", "adviser",
    "advisor", "director", "defense", "defence", "foreign", "affairs", "official",
    "officials", "senior", "air", "headquarters", "deputy", "vice", "head", "commander",
    "chairman", "press", "war", "cold", "report", "reports", "video", "photo", "update",
    "breaking", "live", "table", "appendix", "figure", "section", "chapter", "part", "code",
    "level", "size", "data", "technology", "product", "festival", "celebration", "board",
    "programme", "program", "holdings", "network", "partnership", "alliance", "coalition",
    "foundation", "club", "team", "league", "media", "observer", "journal", "daily", "review",
    "era", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "june", "july", "august", "september",
    "october", "november", "december",
))  # fmt: skip
# Upper-case Latin letters, Vietnamese ones included (À-Ỹ alone would admit "ở", "đ").
UPPER = "A-Z" + "".join(ch for ch in map(chr, range(0xC0, 0x1EFA)) if ch.isupper())
_UPPER = UPPER
_LOWER = "a-z" + "".join(ch for ch in map(chr, range(0xDF, 0x1EFA)) if ch.islower())
_LATIN = "A-Za-z0-9À-ÖØ-öø-ỹ"  # Latin letters as Vietnamese uses them, and digits
_TOKEN = (
    rf"(?:(?:[{_UPPER}]|Mrs?|Ms|Dr|Gen|Lt|Col|Sen|Rep|Adm|Maj|Capt|Jr)\.(?=\s)"
    rf"|[{_UPPER}][{_LATIN}'’-]*)"
)
# Bounded by Latin letters only, so a name inside Chinese text (的Martijn Rasser说) is found.
_RUN = re.compile(rf"(?<![{_LATIN}'’]){_TOKEN}(?:[ \t]+{_TOKEN})*(?![{_LATIN}])")
# A name word: capital, then a lower-case letter (not GNU, SS, a single letter), or an initial.
_NAME_WORD = re.compile(rf"[{_UPPER}][{_LOWER}][\w'’-]*|[{_UPPER}]\.")
_LOWER_NEXT = re.compile(rf"[ \t]+[{_LOWER}]")


def fold(text: str) -> str:
    """Lowercase ASCII form of a Latin name: ``Sôigu`` -> ``soigu``, ``Đức`` -> ``duc``."""
    return ascii_fold(text)


def strip_titles(words: list[str]) -> tuple[list[str], bool]:
    """Drop leading titles and function words; say whether a title was among them."""
    titled = False
    while words and fold(words[0]).strip(".") in _LEADING:
        titled = titled or fold(words[0]).strip(".") in TITLES
        words = words[1:]
    return words, titled


def last_word_key(words: list[str]) -> str:
    """Key of a Latin-script name: its last word, ASCII-folded, without ``'s``."""
    last = re.sub(r"['’]s$", "", words[-1])
    return re.sub(r"[^a-z0-9-]", "", fold(last)) or fold(last)


def unknown_names(
    text: str, lang: str, taken: list[tuple[int, int]]
) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, key) of person names outside the ``taken`` spans.

    Args:
        text: English or Vietnamese text.
        lang: ``en``, ``vi`` or ``zh`` (Latin-script names inside Chinese text).
        taken: spans already read as known entities.
    """
    known = bytearray(len(text))
    for start, end in taken:
        known[start:end] = b"\x01" * (end - start)
    for match in _RUN.finditer(text):
        if known.find(1, match.start(), match.end()) != -1:
            continue
        before = text[max(0, match.start() - 30) : match.start()]
        words, titled = strip_titles(match.group(0).split())
        titled = titled or (lang == "vi" and bool(_VI_TITLE.search(before)))
        if not words or not _is_person(words, titled, lang):
            continue
        one_syllable = lang == "vi" and len(words) == 1 and not words[0].isascii()
        if one_syllable and _LOWER_NEXT.match(text, match.end()):
            continue  # "Bộ trưởng Quốc phòng": a capitalized phrase, not a name
        start = text.index(words[0], match.start())
        yield start, match.end(), last_word_key(words)


def _is_person(words: list[str], titled: bool, lang: str) -> bool:
    """Whether a capitalized run (titles stripped) reads as a person's name."""
    if any(fold(w).strip(".'’s") in _NOT_PERSON for w in words):
        return False
    if not all(_NAME_WORD.fullmatch(w) for w in words) or len(words[-1]) < 2:
        return False
    if titled:
        return True
    # Vietnamese capitalizes every syllable of places and bodies too: only foreign names.
    return len(words) >= 2 and (lang != "vi" or all(w.isascii() for w in words))
