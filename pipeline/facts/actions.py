"""The kind of action a sentence reports: a call, a meeting, talks, a line set up...

Read from the source text (Vietnamese, Chinese) with small word lists, so the
kind survives a bad translation; English text (sources in English, or
translations when asked) has its own list. Kinds are tried in ``KINDS`` order
and the first that matches wins: "a call through the deconfliction line" is a
call, "a video of a convoy" a video, "tried to talk" an attempt, "an open telephone line" a line.

Kinds that may be one event (:func:`compatible`): ``talks`` is the general word
(``hội đàm``, ``会谈``, "held talks") and fits a ``call`` or a ``meeting``; a
``line`` mentioned fits the ``line-setup`` it was set up by. A call and a
meeting, or an attempt and the talks it sought, are different events.
"""

from __future__ import annotations

import re

__all__ = ["KINDS", "action_kind", "compatible", "family"]

# kind -> language -> pattern. Order matters: the first kind that matches wins.
_TABLE: dict[str, dict[str, str]] = {
    "video": {
        "vi": r"(?<!qua )\bvideo\b|đoạn phim|đoạn clip",
        "zh": r"视频(?!通话|会议|会谈|连线)",
        "en": r"\bvideo\b(?! call| conference| link| talks)|\bfootage\b",
    },
    "attempt": {
        "vi": r"cố gắng|tìm cách|(?:không|chưa) (?:nhận được )?(?:phản hồi|hồi âm|trả lời)",
        "zh": r"寻求|未(?:收到|获得|得到).{0,6}回应|没有回应|未予回应",
        "en": r"\b(?:tried|sought|seeking|attempted) to\b|\bsought\b|no (?:response|answer)\b",
    },
    "call": {
        "vi": r"điện đàm|cuộc gọi|gọi điện|cuộc điện thoại|qua điện thoại|trao đổi qua video",
        "zh": r"通话|通电话|电话会谈|电话会议|通了电话|致电",
        "en": r"\b(?:phone|telephone|video) (?:call|conversation|talks)\b|\bcalls?\b",
    },
    "line-setup": {
        "vi": r"(?:đường dây|kênh liên lạc|kênh).{0,40}?(?:được )?(?:thiết lập|lập ra|thành lập|"
        r"tạo ra|ra đời)|(?:thiết lập|lập|thành lập|tạo).{0,30}?(?:đường dây|kênh liên lạc)",
        "zh": r"(?:建立|设立|开通|搭建)了?.{0,20}?(?:热线|渠道|联络机制)",
        "en": r"\b(?:set up|established|created|launched|opened)\b.{0,40}?\b(?:line|hotline|"
        r"channel)s?\b|\b(?:line|hotline|channel)s?\b.{0,40}?\b(?:was|were|been) (?:set up|"
        r"established|created)",
    },
    "line": {
        "vi": r"đường dây nóng|[\"“](?:giảm|hóa giải) xung đột",
        "zh": r"热线",
        "en": r"\bhotline\b|\bdeconfliction (?:line|channel)\b|\"deconfliction\" (?:hot)?line",
    },
    "meeting": {
        "vi": r"\bgặp\b|cuộc gặp|hội kiến|cuộc họp|hội nghị thượng đỉnh",
        "zh": r"会晤|会见|会面|见面|峰会",
        "en": r"\bmet\b|\bmeet(?:s|ing)?\b|\bsummit\b",
    },
    "talks": {
        "vi": r"hội đàm|đối thoại|đàm phán|trao đổi|thảo luận|nói chuyện",
        "zh": r"会谈|对话|交换了?意见|讨论|磋商",
        "en": r"\btalks?\b|\bdialogue\b|\bspoke\b|\bdiscussed\b|exchanged views",
    },
}
KINDS = tuple(_TABLE)
_PATTERNS = {
    kind: {lang: re.compile(p, re.IGNORECASE) for lang, p in by_lang.items()}
    for kind, by_lang in _TABLE.items()
}
# Kinds that may name the same event: the general word fits the specific ones.
_FAMILIES = {"call": "talks", "meeting": "talks", "talks": "talks", "line-setup": "line"}


def action_kind(text: str, lang: str) -> str | None:
    """The first kind in ``KINDS`` whose words the text uses, or None.

    Args:
        text: a sentence.
        lang: its language (``vi``, ``zh``; anything else reads as English).
    """
    key = lang[:2] if lang[:2] in ("vi", "zh") else "en"
    for kind in KINDS:
        if _PATTERNS[kind][key].search(text):
            return kind
    return None


def family(kind: str) -> str:
    """The family a kind belongs to (calls, meetings and talks are all ``talks``)."""
    return _FAMILIES.get(kind, kind)


def compatible(a: str | None, b: str | None) -> bool:
    """Whether two kinds may describe one event (an unknown kind fits anything).

    ``talks`` fits a call or a meeting, ``line`` fits ``line-setup``; a call
    and a meeting do not fit each other, nor any kind another family.
    """
    if a is None or b is None or a == b:
        return True
    if family(a) != family(b):
        return False
    return "talks" in (a, b) or "line" in (a, b)
