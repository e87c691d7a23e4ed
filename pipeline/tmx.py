"""TMX 1.4b serialization, one translation unit at a time.

The writer never builds a tree: :func:`tmx_head` gives the text before the
first ``<tu>``, :func:`tmx_unit` one unit, :func:`tmx_tail` the end, so a
corpus of any size streams to disk. Text is escaped for XML and characters
that XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are
removed, because one of them makes the whole file unreadable to a parser.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

from pipeline import __version__

__all__ = ["TMX_DOCTYPE", "tmx_head", "tmx_tail", "tmx_unit", "xml_safe"]

TMX_DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'

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
