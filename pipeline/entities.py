"""People, organizations, places and agencies, brought to one key across scripts.

Known entities come from the gazetteer ``pipeline/data/entities.toml``
(``绍伊古``, ``Shoigu``, ``Sergey Shoygu`` -> ``shoigu``; ``Lầu Năm Góc``,
``五角大楼``, ``the Pentagon`` -> ``pentagon``). Names the gazetteer lacks are
keyed by their ASCII-folded last word, found as capitalized name sequences in
English and Vietnamese text, so ``Lloyd Austin`` and ``Austin`` meet. Chinese
transliterations of unknown names cannot be keyed that way (``马克·米利`` says
nothing about ``Milley`` without the gazetteer), so they are not found.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from pipeline import ConfigError
from pipeline.io import read_package_toml

__all__ = ["KINDS", "Entity", "GazetteerEntry", "find_entities", "gazetteer", "name_key"]

KINDS = ("person", "org", "place", "agency")
GAZETTEER_FILE = "entities.toml"

# A one-character Chinese alias (美, 俄, 乌) is not the country inside these words.
_CJK_SINGLE_GUARD = "(?![元丽好食术女容味妙满感云龟鸦])"
_TITLES = frozenset((
    "mr", "mrs", "ms", "dr", "lord", "sir", "general", "gen", "lt", "col", "colonel", "major",
    "maj", "admiral", "adm", "captain", "capt", "president", "minister", "secretary",
    "spokesman", "spokeswoman", "spokesperson", "senator", "sen", "rep", "chancellor",
    "ambassador", "ông", "bà", "tướng",
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
    "also", "then", "so",
))  # fmt: skip
_ORG_WORDS = frozenset((
    "ministry", "department", "council", "agency", "committee", "command", "party", "union",
    "organization", "organisation", "parliament", "congress", "senate", "house", "army",
    "navy", "force", "forces", "bank", "fund", "group", "systems", "news", "times", "post",
    "company", "corporation", "university", "institute", "office", "service",
))  # fmt: skip
# Capitalized in titles and headings, never the last word of a person's name.
_COMMON = frozenset((
    "chief", "chiefs", "staff", "joint", "line", "hot", "national", "security", "adviser",
    "advisor", "director", "defense", "defence", "foreign", "affairs", "official", "officials",
    "senior", "air", "headquarters", "state", "deputy", "vice", "head", "commander",
    "chairman", "spokesman", "press", "secretary", "minister", "general", "war", "cold",
    "report", "reports", "video", "photo", "update", "breaking", "live",
))  # fmt: skip
_UPPER = "A-ZÀ-ÝĐƠƯẠ-Ỹ"
_NAME_TOKEN = (
    rf"(?:(?:[{_UPPER}]|Mrs?|Ms|Dr|Gen|Lt|Col|Sen|Rep|Adm|Maj|Capt|Jr)\.(?=\s)|[{_UPPER}][\w'’-]*)"
)
_NAME_SEQ = re.compile(rf"(?<![\w'’]){_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})*")
_LOWER_NEXT = re.compile(r"[ \t]+[a-zà-ỹđ]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“”‘'(\[\n]\s*)$")


@dataclass(frozen=True)
class GazetteerEntry:
    """One known entity: its key, kind and the country it speaks for."""

    key: str
    kind: str
    affiliation: str | None


@dataclass(frozen=True)
class Entity:
    """A mention of a person, organization, place or news agency.

    Attributes:
        surface: the text it was read from.
        start: offset of the first character in the text.
        end: offset after the last character.
        key: the key shared by every spelling and script of the name.
        kind: ``person``, ``org``, ``place`` or ``agency``.
        affiliation: the country key it speaks for (``US`` for Austin and the
            Pentagon, ``RU`` for Shoigu and TASS), None when unknown.
    """

    surface: str
    start: int
    end: int
    key: str
    kind: str
    affiliation: str | None


@dataclass(frozen=True)
class _Gazetteer:
    entries: dict[str, GazetteerEntry]
    aliases: dict[str, str]  # exact alias -> key
    folded: dict[str, str]  # casefolded alias -> key
    pattern: re.Pattern[str]


@functools.cache
def gazetteer() -> _Gazetteer:
    """Load and compile the gazetteer once.

    Raises:
        ConfigError: an entry has an unknown kind or a malformed alias list.
    """
    data = read_package_toml(GAZETTEER_FILE)
    entries: dict[str, GazetteerEntry] = {}
    aliases: dict[str, str] = {}
    for key, table in data.items():
        entries[key] = _entry(key, table)
        for lang in ("en", "vi", "zh"):
            names = table.get(lang, [])
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise ConfigError(f"{GAZETTEER_FILE}: [{key}].{lang} must be a list of strings")
            for name in names:
                aliases.setdefault(name, key)
    folded = {alias.casefold(): key for alias, key in aliases.items()}
    parts = [_alias_regex(a) for a in sorted(aliases, key=len, reverse=True)]
    return _Gazetteer(entries, aliases, folded, re.compile("|".join(parts)))


def _entry(key: str, table: Any) -> GazetteerEntry:
    if not isinstance(table, dict) or table.get("kind") not in KINDS:
        raise ConfigError(f"{GAZETTEER_FILE}: [{key}] needs kind, one of {', '.join(KINDS)}")
    return GazetteerEntry(key, table["kind"], table.get("affiliation"))


def _alias_regex(alias: str) -> str:
    """Regex for one alias: word-bounded for letters, guarded for one-char Chinese."""
    body = re.escape(alias)
    if _CJK.match(alias):
        return body + (_CJK_SINGLE_GUARD if len(alias) == 1 else "")
    if " " in alias:
        body = f"(?i:{body})"
    return rf"(?<![^\W_]){body}(?![^\W_])"


def fold(text: str) -> str:
    """Lowercase ASCII form of a Latin name: ``Sôigu`` -> ``soigu``, ``Đức`` -> ``duc``."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def name_key(name: str, lang: str | None = None) -> str:
    """Bring a name in any script or spelling to its key.

    Args:
        name: a name as written (``Sergey Shoygu``, ``绍伊古``, ``Lầu Năm Góc``).
        lang: its language; unused for now, as the gazetteer is searched in all.

    Returns:
        The gazetteer key when the name (or the name without a leading title or
        ``the``) is known; else the ASCII-folded last word of a Latin name; else,
        for an unknown Chinese name, the name itself without spaces (it cannot be
        brought to a Latin key).
    """
    del lang  # the gazetteer is multilingual; kept for callers that know it
    gaz = gazetteer()
    name = unicodedata.normalize("NFC", name).strip()
    words = name.split()
    while words and fold(words[0]).strip(".") in _TITLES | {"the"}:
        words = words[1:]
    for candidate in (name, " ".join(words)):
        key = gaz.aliases.get(candidate) or gaz.folded.get(candidate.casefold())
        if key:
            return key
    if not words or _CJK.search(name):
        return "".join(name.split())
    last = re.sub(r"['’]s$", "", words[-1])
    return re.sub(r"[^a-z0-9-]", "", fold(last)) or fold(last)


def find_entities(text: str, lang: str) -> list[Entity]:
    """Find the entities in ``text``: gazetteer names first, then unknown names.

    Args:
        text: the text to read.
        lang: its language; unknown names are looked for in ``en`` and ``vi``.

    Returns:
        The entities in text order.
    """
    gaz = gazetteer()
    found: list[Entity] = []
    for match in gaz.pattern.finditer(text):
        surface = match.group(0)
        key = gaz.aliases.get(surface) or gaz.folded[surface.casefold()]
        entry = gaz.entries[key]
        found.append(
            Entity(surface, match.start(), match.end(), key, entry.kind, entry.affiliation)
        )
    if lang[:2] in ("en", "vi"):
        found.extend(_unknown_names(text, lang[:2], found))
    return sorted(found, key=lambda e: e.start)


def _unknown_names(text: str, lang: str, known: list[Entity]) -> list[Entity]:
    """Capitalized name sequences outside the gazetteer's matches."""
    found = []
    for match in _NAME_SEQ.finditer(text):
        start, end = match.span()
        if any(start < e.end and e.start < end for e in known):
            continue
        words = match.group(0).split()
        before = text[:start]
        titled = bool(_VI_TITLE.search(before[-25:])) if lang == "vi" else False
        while words and fold(words[0]).strip(".") in (_TITLES | _EN_STOP):
            start += text[start:end].index(words[0]) + len(words[0])
            titled = True if fold(words[0]).strip(".") in _TITLES else titled
            words = words[1:]
        if not words:
            continue
        kind = "org" if any(fold(w) in _ORG_WORDS for w in words) else "person"
        if not _is_name(words, titled, lang, bool(_SENTENCE_START.search(before))):
            continue
        if (
            lang == "vi"
            and len(words) == 1
            and not words[0].isascii()
            and _LOWER_NEXT.match(text, end)
        ):
            continue  # "Quốc phòng", "Hội đồng": a capitalized phrase, not a name
        start = text.index(words[0], start)
        key = "-".join(fold(w) for w in words) if kind == "org" else name_key(" ".join(words))
        found.append(Entity(text[start:end], start, end, key, kind, None))
    return found


def _is_name(words: list[str], titled: bool, lang: str, at_start: bool) -> bool:
    """Whether a capitalized sequence is likely a name (not a sentence's first word)."""
    if fold(words[-1]) in _COMMON or fold(words[-1]) in _TITLES:
        return False
    if titled:
        return True
    if lang == "vi":
        # Vietnamese capitalizes every syllable of a name; foreign names have no diacritics.
        return len(words) >= 2 and all(w.isascii() for w in words)
    return len(words) >= 2 and not (at_start and len(words) == 2 and words[0].lower() in _EN_STOP)
