"""Facts of a claim, normalized so that different outlets and languages compare.

Slots: ``when`` (ISO date), ``amount`` (``3.8e9 USD``), ``who`` (person or
organization key), ``where`` (place key), ``source`` (the agency or named
spokesman a claim is attributed to) and ``initiator`` (the country, as an
affiliation key, that asked for or started what is reported: ``theo yêu cầu
của ông Austin``, ``在美方的提议之下`` and ``at the initiative of the US side``
all give ``US``).

:func:`claim_facts` reads the source text and its English translation and
prefers the source for dates and numbers, which machine translation mangles.
"""

from __future__ import annotations

import bisect
import re

from pipeline.facts.dates import find_dates
from pipeline.facts.entities import Entity, find_entities
from pipeline.facts.names import UPPER
from pipeline.facts.quantities import QUALIFIERS, Quantity, find_quantities, quantities_agree
from pipeline.records import Fact

__all__ = [
    "SLOTS",
    "amount_key",
    "amounts_agree",
    "claim_facts",
    "extract_facts",
    "fact_quantity",
]

SLOTS = ("when", "amount", "who", "where", "source", "initiator")
_SOURCE_PREFERRED = ("when", "amount")
_CLAUSE_END = re.compile(r"[,.;:!?，。；：！？\n]")
_WINDOW = 80

# Attribution: the source stands after the trigger ("theo Reuters", "据塔斯社")
# or before it ("Bộ Quốc phòng Nga xác nhận", "塔斯社称", "TASS reported").
_SOURCE_AFTER = {
    # "theo" attributes only before a name or a source noun ("theo dõi" is "follow").
    "vi": rf"(?i:\btheo)\s+(?=[{UPPER}]|(?i:hãng|báo|tờ|trang|người phát ngôn|phát ngôn viên|"
    r"ông|bà|giới chức|quan chức|nguồn tin)\b)|"
    r"(?i:\b(?:dẫn lời|trích lời|người phát ngôn|phát ngôn viên)\b)",
    "zh": r"据|援引|引述|发言人",
    "en": r"(?i:\b(?:according to|(?:cited|quoted|reported|confirmed|announced) by|quoted|cited|"
    r"spokesman|spokeswoman|spokesperson)\b)",
}
# The outlet a statement was given to ("told TASS", "trả lời phỏng vấn hãng tin Ria Novosti",
# "接受CNN采访"): only news agencies count, since "Austin told Shoigu" names no source.
_SOURCE_OUTLET = {
    "vi": r"(?i:\b(?:trả lời phỏng vấn|nói với|trao đổi với|phát biểu với)\b)",
    "zh": r"接受|对",
    "en": r"(?i:\b(?:told|in an interview with|speaking to|speaking with)\b)",
}
_SOURCE_BEFORE = {
    "vi": r"(?i:\b(?:dẫn lời|trích lời|cho biết|cho hay|nói(?!\s+chuyện)|khẳng định|xác nhận|"
    r"tuyên bố|tiết lộ|thông báo|đưa tin)\b)",
    "zh": r"(?<![名简堪])称(?!为)|表示|(?<![小据听])说(?![明法])|指出|证实|报道|透露|宣布|援引",
    "en": r"(?i:\b(?:said|says|told|reported|reports|confirmed|announced|stated|quoted|cited)\b)",
}
# Initiative: the initiator stands after the trigger, before it, or in group "x".
_INITIATOR_AFTER = {
    "vi": r"(?i:\btheo\s+[\"“]?\s*(?:lời\s+)?(?:yêu cầu|đề nghị|đề xuất|lời mời|sáng kiến)"
    r"(?:\s+(?:của|từ))?)",
    "zh": r"(?!)",
    "en": r"(?i:\b(?:at|on|upon|following)\s+(?:the\s+|a\s+)?"
    r"(?:request|initiative|invitation|behest|suggestion|proposal)s?\s+(?:of|from|by)\b|"
    r"\b(?:initiated|requested|proposed|arranged|sought)\s+by\b)",
}
_INITIATOR_BEFORE = {
    "vi": r"(?i:\blà bên (?:bắt đầu|khởi xướng|đề nghị|chủ động)|"
    r"\bchủ động (?:đề nghị|gọi|yêu cầu))",
    "zh": r"主动(?:提出|要求|发起|致电)|(?<!的)提议(?!之?下)|发起了?(?:通话|会谈|电话)",
    "en": r"(?i:\b(?:requested|initiated|proposed|sought|asked for|called for) (?:the|a) "
    r"(?:phone call|telephone conversation|call|talks|conversation|meeting)\b)",
}
_INITIATOR_GROUP = {
    "vi": r"(?i:\bdo\s+(?P<x>[^,.;:]{1,30}?)\s+(?:đề xuất|khởi xướng|yêu cầu|đề nghị|chủ động))",
    "zh": r"应(?P<x>[^，。；：]{1,15}?)的?(?:要求|请求|邀请|提议)|"
    r"在(?P<y>[^，。；：]{1,15}?)的?(?:提议|倡议|要求|建议)之?下|"
    r"由(?P<z>[^，。；：]{1,15}?)(?:发起|提议|提出)",
    "en": r"(?i:\b(?:at|on)\s+(?:the\s+)?(?P<x>[\w .-]{1,40}?)['’]s?\s+"
    r"(?:request|initiative|invitation|behest|suggestion|proposal)\b)",
}


def _compile(table: dict[str, str]) -> dict[str, re.Pattern[str]]:
    return {lang: re.compile(pattern) for lang, pattern in table.items()}


_PATTERNS = {
    name: _compile(table)
    for name, table in (
        ("source_after", _SOURCE_AFTER),
        ("source_before", _SOURCE_BEFORE),
        ("source_outlet", _SOURCE_OUTLET),
        ("initiator_after", _INITIATOR_AFTER),
        ("initiator_before", _INITIATOR_BEFORE),
        ("initiator_group", _INITIATOR_GROUP),
    )
}


def amount_key(value: float, unit: str | None) -> str:
    """The key an amount is compared on: ``3.8e9 USD``, ``300000 shell``, ``1 hour``."""
    number = f"{value:.6g}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")
    return f"{number} {unit}" if unit else number


def extract_facts(
    text: str, lang: str, published: str | None, origin: str = "source"
) -> tuple[Fact, ...]:
    """Read the facts of one text.

    Args:
        text: a claim (sentence or segment) in ``lang``.
        lang: ``vi``, ``zh`` or ``en``.
        published: the document's publication date, for dates without a year.
        origin: ``source`` or ``translation``, recorded on every fact.

    Returns:
        The facts, in slot order (``SLOTS``) then text order, one per (slot, key).
    """
    lang = lang[:2] if lang[:2] in ("vi", "zh") else "en"
    entities = find_entities(text, lang)
    facts: list[Fact] = []
    for date in find_dates(text, lang, published):
        facts.append(Fact("when", date.iso, date.surface, origin, date.iso, date.approx))
    for qty in find_quantities(text, lang):
        facts.append(_amount_fact(qty, origin))
    for ent in entities:
        slot = {"person": "who", "org": "who", "place": "where"}.get(ent.kind)
        if slot:
            facts.append(Fact(slot, ent.key, ent.surface, origin, ent.surface))
    for ent in _sources(text, lang, entities):
        facts.append(Fact("source", ent.key, ent.surface, origin, ent.surface))
    for ent in _initiators(text, lang, entities):
        facts.append(Fact("initiator", ent.affiliation or "", ent.surface, origin, ent.surface))
    return _dedupe(facts)


def claim_facts(
    source: str, translation: str, lang: str, published: str | None
) -> tuple[Fact, ...]:
    """Facts of a claim from its source text and its English translation, merged.

    Dates and amounts come from the source whenever the source gives any (the
    translation's are used only when the source has none in that slot); the
    other slots are the union of both readings, source first, one per key.
    """
    from_source = extract_facts(source, lang, published, "source")
    from_translation = extract_facts(translation, "en", published, "translation")
    have = {fact.slot for fact in from_source}
    kept = [f for f in from_translation if not (f.slot in _SOURCE_PREFERRED and f.slot in have)]
    return _dedupe([*from_source, *kept])


def amounts_agree(a: Fact, b: Fact) -> bool:
    """Whether two ``amount`` facts can be the same amount (see ``quantities_agree``)."""
    return quantities_agree(fact_quantity(a), fact_quantity(b))


def _amount_fact(qty: Quantity, origin: str) -> Fact:
    key = amount_key(qty.value, qty.unit)
    display = f"{qty.qualifier} {key}" if qty.qualifier else key
    return Fact("amount", key, qty.surface, origin, display, qty.approx, qty.value, qty.unit)


def fact_quantity(fact: Fact) -> Quantity:
    """Rebuild the Quantity behind an ``amount`` fact, qualifier included.

    The qualifier travels as the first word of ``display`` (``more-than 4e10
    USD``), since :class:`~pipeline.records.Fact` has no field for it.
    """
    head = (fact.display or "").split(" ", 1)[0]
    qualifier = head if head in QUALIFIERS else None
    value = fact.value if fact.value is not None else float(fact.key.split()[0])
    return Quantity(fact.surface, 0, 0, value, fact.unit, fact.approx, qualifier)


def _dedupe(facts: list[Fact]) -> tuple[Fact, ...]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for fact in sorted(facts, key=lambda f: SLOTS.index(f.slot)):
        if fact.key and (fact.slot, fact.key) not in seen:
            seen.add((fact.slot, fact.key))
            kept.append(fact)
    return tuple(kept)


def _clause_after(text: str, pos: int) -> int:
    end = _CLAUSE_END.search(text, pos, min(len(text), pos + _WINDOW))
    return end.start() if end else min(len(text), pos + _WINDOW)


def _clause_before(text: str, pos: int) -> int:
    start = max(0, pos - _WINDOW)
    ends = list(_CLAUSE_END.finditer(text, start, pos))
    return ends[-1].end() if ends else start


def _within(entities: list[Entity], start: int, end: int) -> list[Entity]:
    """The entities (sorted by start) that lie inside [start, end)."""
    first = bisect.bisect_left(entities, start, key=lambda e: e.start)
    last = bisect.bisect_left(entities, end, key=lambda e: e.start)
    return [e for e in entities[first:last] if e.end <= end]


def _sources(text: str, lang: str, entities: list[Entity]) -> list[Entity]:
    """Entities a statement is attributed to: agencies, organizations, named people."""
    found: list[Entity] = []
    for match in _PATTERNS["source_after"][lang].finditer(text):
        window = _within(entities, match.end(), _clause_after(text, match.end()))
        found.extend(_speakers(window, first_only=True))
    for match in _PATTERNS["source_before"][lang].finditer(text):
        window = _within(entities, _clause_before(text, match.start()), match.start())
        found.extend(_speakers(window, first_only=False))
    for match in _PATTERNS["source_outlet"][lang].finditer(text):
        window = _within(entities, match.end(), _clause_after(text, match.end()))
        found.extend([e for e in window if e.kind == "agency"][:1])
    return found


def _speakers(window: list[Entity], first_only: bool) -> list[Entity]:
    """Named people in the window if any, else its agencies and organizations."""
    people = [e for e in window if e.kind == "person"]
    if people:
        return people[:1] if first_only else people
    others = [e for e in window if e.kind in ("agency", "org")]
    return others[:1] if first_only else others


def _initiators(text: str, lang: str, entities: list[Entity]) -> list[Entity]:
    """Entities, with an affiliation, named as asking for or starting what happened."""
    found: list[Entity] = []
    for match in _PATTERNS["initiator_after"][lang].finditer(text):
        window = _within(entities, match.end(), _clause_after(text, match.end()))
        found.extend([e for e in window if e.affiliation][:1])
    for match in _PATTERNS["initiator_before"][lang].finditer(text):
        window = _within(entities, _clause_before(text, match.start()), match.start())
        found.extend([e for e in window if e.affiliation][-1:])
    for match in _PATTERNS["initiator_group"][lang].finditer(text):
        name = next(n for n, v in match.groupdict().items() if v is not None)
        window = _within(entities, match.start(name), match.end(name))
        found.extend([e for e in window if e.affiliation][:1])
    return found
