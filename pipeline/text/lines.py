"""Per-line signals the cleaner decides from: length, punctuation, markers, list cues.

Every signal is a number so it can be kept on the paragraph
(:attr:`pipeline.records.Paragraph.scores`). The marker lists are short and
per language (Vietnamese, Chinese, English): section names and widgets that
pages of any outlet share, not lines of particular pages.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter

from pipeline.text.unicode_scripts import CharTable, ascii_fold, han_count

__all__ = ["fold", "line_signals", "sentence_end", "signature_kind"]

_SENT_END = frozenset(".!?。！？")
_CLOSERS = "\"'”’»)]）」』】 "
# Whole-line (or line-start) markers of page chrome, compared case-folded.
_CHROME = (
    # Vietnamese
    "tin liên quan", "tin cùng chuyên mục", "tin mới nhất", "tin nổi bật", "tin khác",
    "đọc thêm", "xem thêm", "xem tiếp", "bài đọc nhiều", "đọc nhiều", "bài viết liên quan",
    "bình luận", "chia sẻ", "phiên bản di động", "theo dõi", "trang chủ", "quay lại",
    # Chinese
    "相关推荐", "相关新闻", "相关阅读", "延伸阅读", "热门推荐", "热门评论", "最新闻", "评论",
    "分享到", "返回顶部", "猜你喜欢", "点击查看", "更多",
    # English
    "read more", "related", "more from", "most read", "comments are closed", "tags",
    "share this", "advertisement", "subscribe", "follow us", "see also", "sign up",
)  # fmt: skip
_CHROME_RE = re.compile(
    r"^(?:" + "|".join(re.escape(m) for m in sorted(_CHROME, key=len, reverse=True)) + r")"
    r"(?:\s*[:：]|\s|$)"
)
_COPYRIGHT = re.compile(
    r"bản quyền|©|copyright|all rights reserved|未经授权|不得转载|版权所有|转载请注明", re.I
)
_CAPTION_END = re.compile(
    r"(?:\bẢnh\s*:\s*[^.:]{1,60}\.?"
    r"|\((?:ảnh|nguồn|photo|source|credit|图|图片)\s*[:：][^()]{1,60}\)\.?"
    r"|(?:资料图|截图|配图|示意图|摄))$",
    re.IGNORECASE,
)
_CREDIT_START = re.compile(
    r"^(?:tín dụng|credit|photo|ảnh|nguồn ảnh|图片来源|图源|来源)\s*[:：]", re.IGNORECASE
)
# str.translate table keeping only punctuation (Unicode category P*): its length counts them.
_PUNCT_ONLY = CharTable(
    lambda ch: ord(ch) if unicodedata.category(ch).startswith("P") else None, by_code=True
)
# A date stamp typical of list items: "(19/07)", "2022-05-13 22:11".
_LIST_STAMP = re.compile(r"\(\d{1,2}/\d{1,2}\)\s*$|^\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2}")
# A lead paragraph of some article: "(PLO)- ...", "HÀ NỘI (TTXVN) - ...".
_DATELINE = re.compile(r"^[^\s()]{0,20}\s?\([A-ZĐ][A-Za-zĐ.]{1,15}\)\s*[-–—]")
_FOLLOW_OUTLET = re.compile(r"^theo dõi\s+(\S+\.\w{2,4})\s+trên", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)  # the cleaner folds each line twice (signals, title copy)
def fold(text: str) -> str:
    """ASCII-fold for slug comparison: no diacritics, lower case, words only."""
    return " ".join(re.findall(r"[a-z0-9]+", ascii_fold(text)))


def sentence_end(text: str) -> bool:
    """True when the line ends like a sentence ('...' and '…' are truncation, not ends)."""
    stripped = text.rstrip(_CLOSERS)
    if stripped.endswith(("...", "…")):
        return False
    return bool(stripped) and stripped[-1] in _SENT_END


def follow_outlet(text: str) -> str | None:
    """The site named by a "follow X on ..." widget (``Theo dõi Baoquocte.vn trên``)."""
    match = _FOLLOW_OUTLET.match(text)
    return match.group(1) if match else None


def signature_kind(text: str) -> str | None:
    """'byline' or 'outlet' when a short line looks like a signature, else None.

    ``KHOA ĐIỀM`` (names in capitals, a Vietnamese convention) and ``Joe Barnes``
    are bylines; a single capitalized word such as ``Telegraph`` is an outlet.
    """
    words = text.split()
    if not 1 <= len(words) <= 4 or len(text) > 40 or any(c.isdigit() for c in text):
        return None
    if any(c in '.!?,:;()[]|/"“”' for c in text) or not all(w[0].isupper() for w in words):
        return None
    if len(words) == 1:
        return "outlet" if not text.isupper() or len(text) <= 6 else "byline"
    return "byline"


def line_signals(lines: list[str]) -> list[dict[str, float]]:
    """Compute the signals of every line of a page.

    Args:
        lines: the page's non-empty lines, in order.

    Returns:
        One dict of numbers per line.
    """
    keys = [fold(line) or line for line in lines]
    counts = Counter(keys)
    n = max(len(lines), 1)
    signals = []
    for i, line in enumerate(lines):
        han = han_count(line)
        words = len(line.split()) + han
        punct = len(line.translate(_PUNCT_ONLY))
        lowered = line.casefold()
        signals.append(
            {
                "position": round(i / n, 3),
                "chars": float(len(line)),
                "words": float(words),
                "han": round(han / max(len(line), 1), 3),
                "sentence_end": float(sentence_end(line)),
                "punct_density": round(punct / max(len(line), 1), 3),
                "repeat": float(counts[keys[i]]),
                "chrome_marker": float(bool(_CHROME_RE.match(lowered)) and len(line) <= 60),
                "copyright": float(bool(_COPYRIGHT.search(line)) and len(line) <= 200),
                "caption_marker": float(
                    bool(_CAPTION_END.search(line)) or bool(_CREDIT_START.match(line))
                ),
                "credit_start": float(bool(_CREDIT_START.match(line))),
                "list_stamp": float(bool(_LIST_STAMP.search(line))),
                "bullet": float(not any(c.isalnum() for c in line)),
                "dateline": float(bool(_DATELINE.match(line))),
            }
        )
    return signals
