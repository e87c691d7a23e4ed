"""A comparable corpus from events: sentences of different languages reporting one event.

Not translations of each other, but reports of the same event by different
outlets in different languages: for each event of ``events.jsonl`` every pair
of its members from different documents and languages (``vi``-``zh``, say),
with both English sides and the event's id, label and date. Parallel-corpus
tools give a corpus builder sentence pairs that translate each other; these
are the pairs that report the same thing.

It reads events as the JSON objects of ``events.jsonl`` (the corpus wing
depends on no other wing).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

__all__ = ["COMPARABLE_FILE", "comparable_pairs"]

COMPARABLE_FILE = "comparable.jsonl"


def comparable_pairs(
    events: Iterable[Mapping[str, Any]], roles: Iterable[str]
) -> Iterator[dict[str, Any]]:
    """Yield one row per cross-language pair of members of one event, languages in order.

    Args:
        events: the events, as objects of ``events.jsonl``.
        roles: the segment roles kept (``body``, ``title``...).
    """
    keep = set(roles)
    for event in events:
        members = [m for m in event.get("members", ()) if m.get("role") in keep]
        for a, b in itertools.combinations(members, 2):
            if a["doc_id"] == b["doc_id"] or a["lang"] == b["lang"]:
                continue
            first, second = sorted((a, b), key=lambda m: (m["lang"], m["doc_id"], m["seg_id"]))
            yield {
                "event_id": event["event_id"],
                "event": event.get("label"),
                "when": event.get("when"),
                "langs": f"{first['lang']}-{second['lang']}",
                **_side("a", first),
                **_side("b", second),
            }


def _side(prefix: str, m: Mapping[str, Any]) -> dict[str, Any]:
    fields = {"lang": "lang", "doc_id": "doc_id", "seg_id": "seg_id", "outlet": "outlet"}
    side = {f"{prefix}_{name}": m.get(key) for name, key in fields.items()}
    side[f"{prefix}_source"] = m.get("source")
    side[f"{prefix}_english"] = m.get("translation")
    return side
