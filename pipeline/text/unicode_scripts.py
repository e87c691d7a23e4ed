"""The script-based first check of language detection.

Counting which writing systems a text uses decides the clear cases without a
statistical model: Han characters are Chinese, Latin with Vietnamese-only
letters is Vietnamese, plain Latin full of English function words is English,
kana is Japanese, Hangul Korean, and so on. Everything else (other Latin
languages, Cyrillic, Arabic, Devanagari...) is left to langdetect.

Text is measured in *units*: a Han, kana or Thai character is one unit (those
scripts do not separate words), a word of an alphabetic script is one unit. So
``奥斯汀 Lloyd Austin`` weighs 3 Han units against 2 Latin units, not 3 against 11.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "HAN",
    "CharTable",
    "ScriptProfile",
    "ascii_fold",
    "char_script",
    "han_count",
    "is_han",
    "profile",
    "script_guess",
]

# (first code point, last code point, script); sorted, non-overlapping.
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x005A, "latin"),
    (0x0061, 0x007A, "latin"),
    (0x00C0, 0x024F, "latin"),
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0x0E00, 0x0E7F, "thai"),
    (0x1100, 0x11FF, "hangul"),
    (0x1E00, 0x1EFF, "latin"),
    (0x3040, 0x30FF, "kana"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7AF, "hangul"),
    (0xF900, 0xFAFF, "han"),
    (0x20000, 0x2FA1F, "han"),
)
_STARTS = [r[0] for r in _RANGES]

# A Han character (CJK ideograph: unified, extension A, compatibility, extensions B-F),
# the one definition every module uses; built from the table above.
HAN = re.compile(
    "[" + "".join(f"{chr(a)}-{chr(b)}" for a, b, script in _RANGES if script == "han") + "]"
)

# Scripts written without spaces between words: each character is one unit.
_CHAR_UNITS = frozenset({"han", "kana", "thai"})

# Scripts that (among the languages langdetect knows) name one language.
_SCRIPT_LANG = {
    "han": "zh",
    "kana": "ja",
    "hangul": "ko",
    "thai": "th",
    "greek": "el",
    "hebrew": "he",
}

# Letters only Vietnamese uses: the Latin Extended Additional block of tone-marked
# vowels (U+1EA0-U+1EF9) and the horned o/u. (ă and đ are also Romanian and Croatian.)
_VI_ONLY = re.compile(r"[\u1ea0-\u1ef9\u01a0\u01a1\u01af\u01b0]")

# English function words that are not also common words of other Latin-script
# languages (so no "is", "was", "will", "for", "on", "an", "by", "we", "her"...).
_EN_TEXT = """
the of and are were that this with from have has had been it its not would which who
they their them she his said says you your our there what when than but can could
should about after
"""
_EN_WORDS = frozenset(_EN_TEXT.split())

_WORD = re.compile(r"[^\W\d_]+")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+")

# A script must hold this share of the units to decide the language.
DOMINANT = 0.6
# Vietnamese: share of Latin words holding a Vietnamese-only letter.
VI_WORD_SHARE = 0.15
# English: share of English function words among Latin words, and their least count.
EN_WORD_SHARE = 0.2
EN_MIN_WORDS = 2
# Latin text of fewer words is "short": one function word can make it English,
# and langdetect, unreliable on so little Latin text, is not asked.
SHORT_WORDS = 4


def char_script(ch: str) -> str | None:
    """The script of one character, or None for digits, punctuation and unknown scripts."""
    cp = ord(ch)
    i = bisect.bisect_right(_STARTS, cp) - 1
    if i >= 0 and _RANGES[i][0] <= cp <= _RANGES[i][1]:
        return _RANGES[i][2]
    return None


class CharTable(dict[Any, Any]):
    """A dict filled on demand by ``compute(char)``: each distinct character is looked up once.

    Profiling and folding ask the same few thousand characters millions of times.
    """

    def __init__(self, compute: Callable[[str], Any], by_code: bool = False) -> None:
        super().__init__()
        self._compute = compute
        self._by_code = by_code  # keyed by code point, as ``str.translate`` asks

    def __missing__(self, key: Any) -> Any:
        value = self._compute(chr(key) if self._by_code else key)
        self[key] = value
        return value


# One letter per script, for profile(); "a" for the first script of _RANGES and so on.
_SCRIPT_NAMES = {chr(97 + i): name for i, name in enumerate(dict.fromkeys(r[2] for r in _RANGES))}
_CODE_OF = {name: code for code, name in _SCRIPT_NAMES.items()}
_CHAR_UNIT_CODES = frozenset(_CODE_OF[name] for name in _CHAR_UNITS)
_RUN_OF = {code: re.compile(code + "+") for code in _SCRIPT_NAMES}


def _script_code(ch: str) -> str:
    """A space for a character outside words, "" for a letter of no known script, else its code."""
    if _WORD.fullmatch(ch) is None:
        return " "
    script = char_script(ch)
    return "" if script is None else _CODE_OF[script]


_SCRIPT_CODES = CharTable(_script_code, by_code=True)
# str.translate table deleting combining marks (the code points unicodedata.combining() flags).
_NO_MARKS = CharTable(lambda ch: None if unicodedata.combining(ch) else ord(ch), by_code=True)


def is_han(ch: str) -> bool:
    """True when ``ch`` is a Han character (see :data:`HAN`)."""
    return HAN.match(ch) is not None


def han_count(text: str) -> int:
    """Number of Han characters in ``text``."""
    return len(HAN.findall(text))


@dataclass(frozen=True)
class ScriptProfile:
    """How much of each script a text holds.

    Attributes:
        units: script -> units (characters for Han/kana/Thai, words otherwise).
        letters: letters counted in any known script.
        latin_words: the Latin words, lower-cased.
    """

    units: dict[str, int]
    letters: int
    latin_words: tuple[str, ...]

    @property
    def total(self) -> int:
        """All units."""
        return sum(self.units.values())

    def dominant(self) -> tuple[str | None, float]:
        """The script with the most units and its share (``(None, 0.0)`` for none)."""
        if not self.units:
            return None, 0.0
        script, count = max(self.units.items(), key=lambda kv: (kv[1], kv[0]))
        return script, count / self.total

    def share(self, script: str) -> float:
        """The share of units in ``script`` (0 when the text has none)."""
        total = self.total
        return self.units.get(script, 0) / total if total else 0.0


def profile(text: str) -> ScriptProfile:
    """Count the units of each script in ``text`` (NFC-normalised first).

    The text becomes a string of one code per character (a script's letter, a
    space between words, nothing for a letter of no known script), so runs are
    counted by C code, not a Python loop over every character.
    """
    text = unicodedata.normalize("NFC", text)
    codes = text.translate(_SCRIPT_CODES)
    chars = Counter(codes)
    letters = len(codes) - chars.pop(" ", 0)
    units = {  # a character of Han, kana or Thai is a unit; a run of another script is one
        _SCRIPT_NAMES[c]: n if c in _CHAR_UNIT_CODES else len(_RUN_OF[c].findall(codes))
        for c, n in chars.items()
    }
    latin = tuple(w.lower() for w in _LATIN_WORD.findall(text))
    return ScriptProfile(units=units, letters=letters, latin_words=latin)


def script_guess(prof: ScriptProfile) -> tuple[str, float] | None:
    """Decide the language from the scripts alone when the case is clear.

    Returns:
        ``(code, confidence)`` or None when a statistical model must decide. The
        confidence is the dominant script's share of units; for Vietnamese and
        English (which share the Latin script with many languages) it is further
        capped at 0.5 plus the share of words carrying the evidence.
    """
    script, share = prof.dominant()
    if script is None:
        return None
    if script in ("han", "kana") and prof.units.get("kana", 0):
        cjk = prof.units.get("han", 0) + prof.units["kana"]
        if cjk / prof.total >= DOMINANT:
            return "ja", round(cjk / prof.total, 4)
        return None
    if share < DOMINANT:
        return None
    if script in _SCRIPT_LANG:
        return _SCRIPT_LANG[script], round(share, 4)
    if script == "latin":
        return _latin_guess(prof.latin_words, share)
    return None


def is_short_latin(prof: ScriptProfile) -> bool:
    """True for Latin-script text of fewer than :data:`SHORT_WORDS` words."""
    return prof.share("latin") >= DOMINANT and len(prof.latin_words) < SHORT_WORDS


def _latin_guess(words: tuple[str, ...], share: float) -> tuple[str, float] | None:
    if not words:
        return None
    vi = sum(1 for w in words if _VI_ONLY.search(w)) / len(words)
    if vi >= VI_WORD_SHARE:
        return "vi", round(min(share, 0.5 + vi), 4)
    if vi == 0 and all(w.isascii() for w in words):
        hits = sum(1 for w in words if w in _EN_WORDS)
        en = hits / len(words)
        enough = hits >= EN_MIN_WORDS or (hits > 0 and len(words) <= SHORT_WORDS)
        if enough and en >= EN_WORD_SHARE:
            return "en", round(min(share, 0.5 + en), 4)
    return None


def ascii_fold(text: str) -> str:
    """Lower-case text without diacritics: ``Lầu Năm Góc`` -> ``lau nam goc``, ``Đức`` -> ``duc``.

    Used to compare scraped slugs with titles and to key names across spellings.
    """
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return text.translate(_NO_MARKS).lower()
