"""Small HTML helpers shared by the report's renderers: escaping, ids, badges.

Every string that comes from the data goes through :func:`esc` (text and
attribute values alike), and every element id is built by :func:`anchor`, whose
output holds only ASCII letters, digits, ``_`` and ``-`` whatever the ids in
the data contain.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "anchor",
    "badge",
    "esc",
    "fmt_num",
    "fmt_scores",
    "quality_title",
    "slug",
    "stat",
    "table",
]

_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


def esc(value: Any) -> str:
    """HTML-escape any value (quotes included, so it is safe in attributes too)."""
    return html.escape("" if value is None else str(value), quote=True)


def slug(part: str) -> str:
    """Encode an opaque id so it is safe in an element id and a URL fragment.

    ASCII letters and digits stay; every other character becomes ``_<hex>_``.
    The mapping is one-to-one and never produces ``-``, so ids joined with
    ``-`` cannot collide (``a-b``/``c`` and ``a``/``b-c`` stay apart).

    Args:
        part: any string (a doc_id, a seg_id, a cluster id).

    Returns:
        The encoded string.
    """
    return "".join(ch if ch in _SAFE else f"_{ord(ch):x}_" for ch in part)


def anchor(prefix: str, *parts: str) -> str:
    """An element id such as ``seg-<doc>-<seg>`` from opaque parts."""
    return "-".join([prefix, *(slug(p) for p in parts)])


def fmt_num(value: Any, digits: int = 1) -> str:
    """A number for display; anything else escaped as text, ``None`` as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return esc(value)
    return f"{value:.{digits}f}"


def fmt_scores(scores: Mapping[str, Any] | None) -> str:
    """``BLEU 12.3 · chrF 45.6 · TER 50.0`` from a metric -> value mapping."""
    if not scores:
        return ""
    names = {"bleu": "BLEU", "chrf": "chrF", "ter": "TER"}
    parts = [
        f"{esc(names.get(str(k), k))} {fmt_num(v)}" for k, v in scores.items() if k != "signatures"
    ]
    return " · ".join(parts)


def quality_title(quality: Mapping[str, Any]) -> str:
    """The raw quality numbers as one tooltip line, ``name=value; ...`` (unescaped)."""
    parts = []
    for key, value in sorted(quality.items()):
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        parts.append(f"{key}={shown}")
    return "; ".join(parts)


def badge(text: Any, kind: str = "", title: str | None = None) -> str:
    """A small inline label; ``kind`` adds CSS classes, ``title`` a tooltip."""
    cls = f"badge {kind}".strip()
    tip = f' title="{esc(title)}"' if title else ""
    return f'<span class="{esc(cls)}"{tip}>{esc(text)}</span>'


def stat(value: Any, label: str) -> str:
    """One figure of the run summary."""
    return f'<span class="stat"><b>{esc(value)}</b>{esc(label)}</span>'


def table(head: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "grid") -> str:
    """A table from already-escaped cells (the head is escaped here)."""
    th = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{esc(cls)}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'
