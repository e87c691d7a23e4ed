"""Text serializers of the export formats: TMX 1.4b, Moses, TSV and JSONL lines.

Each function turns one pair (or a file's head or tail) into text, so the
export stage streams a corpus of any size to disk without building a tree:
:func:`tmx_head` gives the text before the first ``<tu>``, :func:`tmx_unit`
one unit, :func:`tmx_tail` the end. TMX text is escaped for XML and characters
that XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are
removed, because one of them makes the whole file unreadable to a parser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from pipeline import __version__

__all__ = [
    "TMX_DOCTYPE",
    "TSV_COLUMNS",
    "clean_text",
    "escape_tsv",
    "json_line",
    "moses_line",
    "tmx_head",
    "tmx_tail",
    "tmx_unit",
    "unescape_tsv",
    "xml_safe",
]

TSV_COLUMNS = ("src_lang", "tgt_lang", "doc_id", "seg_id", "source", "translation")
TMX_DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'

# Every character str.splitlines() breaks on, plus tab: none may stay inside a Moses line.
_LINE_BREAKS = re.compile("[\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
# Line separators JSON leaves raw but str.splitlines() breaks on.
_JSON_SEPARATORS = re.compile("[\x85\u2028\u2029]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_TSV_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_TSV_UNESCAPES = {v: k for k, v in _TSV_ESCAPES.items()}
_TSV_TABLE = str.maketrans(_TSV_ESCAPES)

# Everything outside XML 1.0's Char production:
# #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Carriage returns survive a parser only as character references.
_TEXT_ENTITIES = {"\r": "&#13;"}
_ATTR_ENTITIES = {"\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}


def xml_safe(text: str) -> str:
    """Remove the characters XML 1.0 does not allow (they cannot even be escaped)."""
    return _INVALID_XML.sub("", text)


def _text(text: str) -> str:
    return escape(xml_safe(text), _TEXT_ENTITIES)


def _attr(text: str) -> str:
    return quoteattr(xml_safe(text), _ATTR_ENTITIES)


def tmx_head(srclang: str, adminlang: str = "en", o_tmf: str = "parallax-jsonl") -> str:
    """The XML declaration, doctype, ``<tmx>``, ``<header>`` and opening ``<body>``.

    Args:
        srclang: source language of the units, or ``*all*`` for a multilingual file.
        adminlang: language of notes and properties.
        o_tmf: the format the units came from.
    """
    attrs = {
        "creationtool": "parallax",
        "creationtoolversion": __version__,
        "datatype": "plaintext",
        "segtype": "sentence",
        "adminlang": adminlang,
        "srclang": srclang,
        "o-tmf": o_tmf,
    }
    header = " ".join(f"{k}={_attr(v)}" for k, v in attrs.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"{TMX_DOCTYPE}\n"
        '<tmx version="1.4">\n'
        f"  <header {header}/>\n"
        "  <body>\n"
    )


def tmx_unit(
    tuid: str,
    srclang: str,
    variants: Mapping[str, str],
    props: Mapping[str, str],
) -> str:
    """One ``<tu>`` with its properties and one ``<tuv>`` per language.

    Args:
        tuid: the unit id.
        srclang: the unit's source language.
        variants: language -> segment text, source language first.
        props: property type (``x-doc-id``...) -> value; empty values are left out.
    """
    lines = [f"    <tu tuid={_attr(tuid)} srclang={_attr(srclang)}>"]
    lines += [
        f"      <prop type={_attr(kind)}>{_text(value)}</prop>"
        for kind, value in props.items()
        if value
    ]
    lines += [
        f"      <tuv xml:lang={_attr(lang)}><seg>{_text(text)}</seg></tuv>"
        for lang, text in variants.items()
    ]
    lines.append("    </tu>\n")
    return "\n".join(lines)


def tmx_tail() -> str:
    """Close ``<body>`` and ``<tmx>``."""
    return "  </body>\n</tmx>\n"


def clean_text(text: str) -> str:
    """Replace lone surrogates (JSON can carry them, UTF-8 cannot) with U+FFFD."""
    return _SURROGATES.sub("\ufffd", text)


def moses_line(text: str) -> str:
    """One segment as one Moses line: line breaks and tabs become single spaces."""
    return _LINE_BREAKS.sub(" ", clean_text(text)).strip()


def escape_tsv(text: str) -> str:
    """Escape backslash, tab, CR and LF so a field stays on one line and in one column."""
    return clean_text(text).translate(_TSV_TABLE)


def unescape_tsv(field: str) -> str:
    """Undo :func:`escape_tsv`."""
    return re.sub(r"\\[\\tnr]", lambda m: _TSV_UNESCAPES[m.group(0)], field)


def json_line(obj: dict[str, Any]) -> str:
    """One compact JSON line; U+0085, U+2028 and U+2029 escaped so line splitters agree.

    Lone surrogates become U+FFFD, so the line can be written as UTF-8.
    """
    line = clean_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
    return _JSON_SEPARATORS.sub(lambda m: f"\\u{ord(m.group(0)):04x}", line)


def public_model(label: str | None) -> str:
    """A model label fit for an export: a local folder given by absolute path becomes its name.

    ``/home/me/models/opus-mt-vi-en@3f2a`` -> ``opus-mt-vi-en@3f2a``; hub ids
    (``Helsinki-NLP/opus-mt-vi-en@main``) and relative folders stay as they are.
    """
    if not label:
        return ""
    model, sep, revision = label.rpartition("@") if "@" in label else (label, "", "")
    if model.startswith(("/", "~", "\\")) or re.match(r"^[A-Za-z]:[\\/]", model):
        model = re.split(r"[\\/]", model.rstrip("/\\"))[-1] or model
    return f"{model}{sep}{revision}"
