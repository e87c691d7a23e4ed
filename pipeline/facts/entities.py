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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pipeline import ConfigError
from pipeline.facts.names import fold, last_word_key, strip_titles, unknown_names
from pipeline.io.files import read_package_toml
from pipeline.text.unicode_scripts import HAN

__all__ = [
    "KINDS",
    "Entity",
    "GazetteerEntry",
    "build_gazetteer",
    "display_name",
    "find_entities",
    "fold",
    "gazetteer",
    "name_key",
]

KINDS = ("person", "org", "place", "agency")
GAZETTEER_FILE = "entities.toml"

# A one-character Chinese alias (美, 俄, 乌) is not the country inside these words.
# (美元 dollar, 美洲 the Americas, 乌鲁木齐 Urumqi, 俄亥俄州 Ohio).
_CJK_SINGLE_GUARD = re.compile("[元丽好食术女容味妙满感云龟鸦洲鲁亥州]")


@dataclass(frozen=True)
class GazetteerEntry:
    """One known entity: its key, kind, the country it speaks for, and its English name."""

    key: str
    kind: str
    affiliation: str | None
    name: str = ""


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
    folded: dict[str, str]  # casefolded alias -> key (name_key's lookup)
    spaced: dict[str, str]  # casefolded multi-word alias -> key (matches in any case)
    latin: re.Pattern[str]  # all non-Chinese aliases, word-bounded, any case
    cjk: re.Pattern[str]  # Chinese aliases


@functools.cache
def gazetteer() -> _Gazetteer:
    """The package's gazetteer, loaded and compiled on first use.

    Raises:
        ConfigError: the data file is unreadable or invalid (see :func:`build_gazetteer`).
    """
    return build_gazetteer(read_package_toml(GAZETTEER_FILE))


def build_gazetteer(data: dict[str, Any]) -> _Gazetteer:
    """Compile gazetteer tables (key -> kind, affiliation, en/vi/zh aliases).

    Aliases are compiled into two trie-shaped regexes (Latin, Chinese), which
    the regex engine scans far faster than one alternative per alias.

    Raises:
        ConfigError: an entry has an unknown kind or a malformed alias list, or
            two entries share an alias.
    """
    entries = {key: _entry(key, table) for key, table in data.items()}
    aliases: dict[str, str] = {}
    for key, table in data.items():
        for name in _alias_list(key, table):
            if aliases.setdefault(name, key) != key:
                raise ConfigError(
                    f"{GAZETTEER_FILE}: {name!r} is in both [{aliases[name]}] and [{key}]"
                )
    folded = {alias.casefold(): key for alias, key in aliases.items()}
    spaced = {alias.casefold(): key for alias, key in aliases.items() if " " in alias}
    latin = _trie_regex(a.lower() for a in aliases if not HAN.match(a))
    cjk = _trie_regex(a for a in aliases if HAN.match(a))
    return _Gazetteer(
        entries,
        aliases,
        folded,
        spaced,
        re.compile(rf"(?<![^\W_]){latin}(?![^\W_])", re.IGNORECASE),
        re.compile(cjk),
    )


def _alias_list(key: str, table: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for lang in ("en", "vi", "zh"):
        more = table.get(lang, [])
        if not isinstance(more, list) or not all(isinstance(n, str) and n for n in more):
            raise ConfigError(f"{GAZETTEER_FILE}: [{key}].{lang} must be a list of names")
        names += more
    return names


def _entry(key: str, table: Any) -> GazetteerEntry:
    if not isinstance(table, dict) or table.get("kind") not in KINDS:
        raise ConfigError(f"{GAZETTEER_FILE}: [{key}] needs kind, one of {', '.join(KINDS)}")
    english = table.get("en") or [key]
    return GazetteerEntry(key, table["kind"], table.get("affiliation"), str(english[0]))


def display_name(key: str) -> str:
    """A fact key as people read it: ``ru-mod`` -> Russian Defence Ministry, ``US`` ->
    United States; a key the gazetteer lacks (a name read from text) in title case."""
    entry = gazetteer().entries.get(key)
    if entry is not None and entry.name:
        return entry.name
    return key.replace("-", " ").title() if key.islower() else key


def _trie_regex(words: Iterable[str]) -> str:
    """One regex matching any of ``words``, longest first, shaped as a prefix trie."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_node(trie) or "(?!)"


def _trie_node(node: dict[str, Any]) -> str:
    branches = [re.escape(ch) + _trie_node(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{body})?" if "" in node else body


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
    words, _ = strip_titles(name.split())
    for candidate in (name, " ".join(words)):
        key = gaz.aliases.get(candidate) or gaz.folded.get(candidate.casefold())
        if key:
            return key
    if not words or HAN.search(name):
        return "".join(name.split())
    return last_word_key(words)


def find_entities(text: str, lang: str) -> list[Entity]:
    """Find the entities in ``text``: gazetteer names first, then unknown names.

    Args:
        text: the text to read.
        lang: its language; unknown Latin-script names are looked for in ``en``, ``vi``, ``zh``.

    Returns:
        The entities in text order.
    """
    gaz = gazetteer()
    found: list[Entity] = []
    for match in gaz.latin.finditer(text):
        surface = match.group(0)
        # one-word aliases match as written: "US" is not "us", "Nga" is not "nga"
        key = gaz.aliases.get(surface) or gaz.spaced.get(surface.casefold())
        if key:
            found.append(_entity(match, key))
    for match in gaz.cjk.finditer(text):
        if len(match.group(0)) == 1 and _CJK_SINGLE_GUARD.match(text, match.end()):
            continue
        found.append(_entity(match, gaz.aliases[match.group(0)]))
    if lang[:2] in ("en", "vi", "zh"):
        taken = [(e.start, e.end) for e in found]
        for start, end, key in unknown_names(text, lang[:2], taken):
            found.append(Entity(text[start:end], start, end, key, "person", None))
    return sorted(found, key=lambda e: e.start)


def _entity(match: re.Match[str], key: str) -> Entity:
    entry = gazetteer().entries[key]
    return Entity(match.group(0), match.start(), match.end(), key, entry.kind, entry.affiliation)
