"""Bytes to clean Unicode text: binary sniffing, encoding choice, normalization.

The supported encodings are UTF-8 (with or without BOM), UTF-16/UTF-32 with a
BOM, and, for text that is not UTF-8, GB18030 (a superset of GBK and GB2312)
and Big5 for Chinese and Windows-1258 for Vietnamese. Those three legacy
encodings accept many of the same byte strings, so each candidate is decoded
strictly and the decodings are scored for plausibility (see :func:`plausibility`);
the best one wins. Text is then normalized to NFC, odd spaces become plain
spaces and zero-width characters are dropped. Stray tags in scraped plain text
(``< /span>``) are removed by :func:`strip_stray_tags`, which ingest applies to
plain text only, never to HTML pages before their markup is parsed.
"""

from __future__ import annotations

import codecs
import html
import re
import unicodedata
from dataclasses import dataclass

from pipeline.text.unicode_scripts import is_han

__all__ = [
    "DecodeError",
    "Decoded",
    "decode_bytes",
    "decode_entities",
    "normalize_text",
    "plausibility",
    "safe_id",
    "sniff_binary",
    "strip_bidi",
]

# Magic numbers of common non-text files: prefix -> what it is.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "zip archive"),
    (b"PK\x05\x06", "zip archive"),
    (b"%PDF-", "PDF document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "ELF executable"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\xd0\xcf\x11\xe0", "OLE document (old MS Office)"),
)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Legacy encodings tried, in order of preference on a tie.
LEGACY = ("gb18030", "big5", "cp1258")

# The most frequent Han characters of news text, simplified and traditional forms.
_FREQUENT_HAN = frozenset(
    "的一是不了在人有我他这個个们們中来來上大为為和国國地到以说說时時要就出也得里裏後后自会會家可下"
    "而过過天去能对對小多然于於心学學么麼之都好看起发發当當没沒成只如事把还還用第样樣道想作种種开開"
    "美总總从從无無情己面最女但现現前些所同日手又行意动動方期它头頭经經长長儿兒回位分老因很给給名"
    "法间間斯知世什两兩次使身者被高已亲親其进進此话話常与與活正感部月年新闻聞报報记記者表示问問题"
    "題政府军軍事防乌烏克兰蘭俄罗羅美称稱据據方面关關系係电電通话话议議将將并並对外交"
)
_VI_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VI_LETTERS = frozenset(
    "àáâãèéêìíòóôõùúýăđĩũơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
    "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝĂĐĨŨƠƯẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ"
)
_MIN_PLAUSIBILITY = 0.5

# Spaces other than U+0020 (no-break, thin, ideographic...) and zero-width characters.
_ODD_SPACE = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
# Bidirectional controls (embeddings, overrides, isolates, LRM/RLM, the Arabic
# letter mark): invisible, meaningless in Vietnamese, Chinese and English, and
# able to reorder how a line is displayed (spoofing in the report and corpora).
_BIDI = re.compile(r"[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
# Stray tags left in scraped text, such as "< /span>"; only known inline/block tag names.
_TAGS = r"(?:span|div|p|br|b|i|u|em|strong|a|font|img|sup|sub|small|section|article)"
_STRAY_TAG = re.compile(
    r"<\s*/\s*" + _TAGS + r"\s*>|<" + _TAGS + r"\b(?:\s[^<>\n]{0,200})?/?>", re.IGNORECASE
)


class DecodeError(ValueError):
    """The bytes are not text in any supported encoding; the message says why."""


@dataclass(frozen=True)
class Decoded:
    """Decoded text and how it was decoded.

    Attributes:
        text: the normalized text.
        encoding: the codec name used (``utf-8``, ``utf-8-sig``, ``gb18030``...).
        plausibility: the score that chose a legacy encoding (1.0 for UTF-8 and BOMs).
    """

    text: str
    encoding: str
    plausibility: float = 1.0


def sniff_binary(data: bytes) -> str | None:
    """Say what kind of binary file ``data`` is, or None when it may be text."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if any(data.startswith(bom) for bom, _ in _BOMS) or bomless_utf16(data):
        return None
    if b"\x00" in data[:65536]:
        return "binary data (contains NUL bytes)"
    return None


def bomless_utf16(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when ``data`` reads as UTF-16 without a BOM, else None.

    Text in Latin script (Vietnamese, English, markup) written as UTF-16 has a
    NUL as the high byte of most characters and almost never as the low byte:
    NULs at nearly every other position, all on one side. Binary files do not
    look like that; the decoding must then also be valid, free of controls and
    plausible text (:func:`plausibility`).
    """
    sample = data[:65536]
    pairs = len(sample) // 2
    if pairs < 2 or len(data) % 2 or b"\x00" not in sample:
        return None
    even = sample[0::2].count(0) / pairs
    odd = sample[1::2].count(0) / pairs
    if odd >= 0.4 and even <= 0.01:
        codec = "utf-16-le"
    elif even >= 0.4 and odd <= 0.01:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    controls = sum(1 for ch in text if ch < " " and ch not in "\n\r\t\f")
    if controls > len(text) // 1000 or plausibility(text) < _MIN_PLAUSIBILITY:
        return None
    return codec


def plausibility(text: str) -> float:
    """Score how much ``text`` looks like Chinese or Vietnamese, from 0 to 1.

    Only non-ASCII characters count: frequent Han characters, other Han
    characters (less), CJK punctuation and Vietnamese letters in words that also
    hold ASCII letters are good; anything else (Latin-1 symbols, kana, private
    use, letters from a wrong decoding) is bad. Returns 1.0 for pure ASCII.
    """
    good = bad = 0.0
    for word in text.split():
        has_ascii_letter = any("a" <= c.lower() <= "z" for c in word)
        for ch in word:
            if ch < "\x80":
                continue
            if ch in _FREQUENT_HAN:
                good += 1.0
            elif is_han(ch):
                good += 0.3
                bad += 0.2
            elif "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or ch in "“”‘’…–—·•":
                good += 0.5
            elif (ch in _VI_LETTERS or ch in _VI_TONES) and has_ascii_letter:
                good += 1.0
            else:
                bad += 1.0
    return 1.0 if good + bad == 0 else good / (good + bad)


def decode_bytes(data: bytes) -> Decoded:
    """Decode a file's bytes to normalized text.

    Args:
        data: the raw bytes (not empty, not binary: see :func:`sniff_binary`).

    Returns:
        The text and the encoding used.

    Raises:
        DecodeError: no supported encoding decodes the bytes plausibly.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(normalize_text(data.decode(codec)), codec)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"invalid {codec} after its BOM at byte {exc.start}") from exc
    utf16 = bomless_utf16(data)
    if utf16 is not None:
        return Decoded(normalize_text(data.decode(utf16)), utf16)
    try:
        return Decoded(normalize_text(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = f"not UTF-8 (byte {exc.start})"
    best: tuple[float, str, str] | None = None
    for codec in LEGACY:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = plausibility(text)
        if best is None or score > best[0]:
            best = (score, codec, text)
    if best is None:
        raise DecodeError(f"{utf8_error}, and not valid {', '.join(LEGACY)} either")
    score, codec, text = best
    if score < _MIN_PLAUSIBILITY:
        raise DecodeError(
            f"{utf8_error}; best legacy decoding {codec} is implausible (score {score:.2f})"
        )
    return Decoded(normalize_text(text), codec, round(score, 3))


_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode_entities(text: str) -> str:
    """Decode HTML entities in plain text once (``&quot;`` -> ``"``, as IWSLT'15 writes them).

    Only complete entities (ending in ``;``) are read, so ``AT&T`` or ``&copy`` without a
    semicolon stay as written; what a decoded entity spells is not decoded again. Odd
    spaces it yields (``&nbsp;``) become plain spaces.
    """
    if "&" not in text:
        return text
    decoded = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    return _ODD_SPACE.sub(" ", decoded)


def strip_stray_tags(text: str) -> str:
    """Drop tags left in scraped plain text, such as ``< /span>`` (not for HTML pages)."""
    return _STRAY_TAG.sub("", text)


def strip_bidi(*texts: str) -> tuple[list[str], int]:
    """Remove bidirectional control characters; return the texts and how many went."""
    done = [_BIDI.subn("", text) for text in texts]
    return [text for text, _ in done], sum(n for _, n in done)


def safe_id(text: str) -> str:
    """An id made safe for every output: control, format and separator characters become "_".

    A file name may hold a newline, a tab or a bidi control; the id goes into
    TMX properties, Moses-side tooling and the report, so only printable
    characters (and plain spaces) stay. The original path is kept in ``path``.
    """
    return "".join(
        ch if ch == " " or unicodedata.category(ch)[0] not in "CZ" else "_" for ch in text
    )


def normalize_text(text: str) -> str:
    """NFC, plain spaces for odd ones, no zero-width characters, LF line ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH.sub("", text)
    return _ODD_SPACE.sub(" ", text)
