"""HTML pages to plain text lines, plus the metadata their ``<head>`` declares.

Block elements end lines; scripts, styles and other non-text elements are
dropped. ``<meta>`` tags give hints (title, published date, site name, author)
that win over what the cleaner reads from the text. Uses the standard
library's tolerant parser, so broken markup never raises.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from pipeline.text.header import find_date

__all__ = ["html_to_text", "looks_like_html"]

_BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
        "title",
    ]
)
_DROP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "object",
        "head",
        "select",
        "button",
    ]
)
_META = {
    "og:title": "title",
    "article:published_time": "published",
    "datepublished": "published",
    "pubdate": "published",
    "og:site_name": "outlet",
    "author": "byline",
    "article:author": "byline",
}
_LOOKS_HTML = re.compile(r"<(?:!doctype\s+html|html|body|p|div|br|span|h1)\b[^>]*>", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """True when the text is an HTML page or fragment (several tags near the start)."""
    head = text[:5000]
    return head.lstrip().lower().startswith(("<!doctype html", "<html")) or (
        len(_LOOKS_HTML.findall(head)) >= 3
    )


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hints: dict[str, str] = {}
        self._drop = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = {k.lower(): v or "" for k, v in attrs}
            key = _META.get((values.get("property") or values.get("name") or "").lower())
            if key and values.get("content") and key not in self.hints:
                self.hints[key] = " ".join(values["content"].split())
            return
        if tag in _DROP:
            self._drop += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self._drop = max(self._drop - 1, 0)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._drop:
            self.parts.append(data)


def html_to_text(page: str) -> tuple[str, dict[str, str]]:
    """Strip markup from a page.

    Args:
        page: the decoded HTML.

    Returns:
        (the text, one block per line; hints from ``<meta>``: title, published
        as ISO date, outlet, byline).
    """
    parser = _TextParser()
    parser.feed(page)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    text = "\n".join(line for line in lines if line)
    hints = dict(parser.hints)
    if "published" in hints:
        found = find_date(hints["published"])
        if found is None:
            del hints["published"]
        else:
            hints["published"] = found[0]
    return text, hints
