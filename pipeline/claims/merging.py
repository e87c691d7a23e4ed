"""Greedy merging of scored pairs, best first: the one loop claims and events share.

Pairs are taken in order of falling score (ties by index, so the result never
depends on input order); two groups merge when the caller's check allows it,
the smaller into the larger, and the merged group keeps the signals of every
pair that joined it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

__all__ = ["greedy_merge"]


class _Scored(Protocol):
    @property
    def score(self) -> float: ...


S = TypeVar("S", bound=_Scored)


def greedy_merge(
    n: int,
    pairs: Sequence[tuple[int, int, S]],
    may_merge: Callable[[list[int], list[int]], bool],
) -> list[tuple[list[int], list[S]]]:
    """Merge ``n`` items along scored pairs, best first, where ``may_merge`` allows.

    Args:
        n: the number of items (indices 0..n-1).
        pairs: ``(i, j, signals)``, ``signals.score`` ranking the pairs.
        may_merge: whether the groups holding ``a`` and ``b`` (member lists) may merge.

    Returns:
        Every group, one item or more, as (sorted member indices, signals of the pairs
        that joined it), in the order of its first item.
    """
    where = list(range(n))
    groups: dict[int, list[int]] = {i: [i] for i in range(n)}
    joins: dict[int, list[S]] = {}
    for i, j, signals in sorted(pairs, key=lambda e: (-e[2].score, e[0], e[1])):
        ga, gb = where[i], where[j]
        if ga == gb or not may_merge(groups[ga], groups[gb]):
            continue
        if len(groups[ga]) < len(groups[gb]):
            ga, gb = gb, ga
        for k in groups[gb]:
            where[k] = ga
        groups[ga].extend(groups.pop(gb))
        joins.setdefault(ga, []).extend(joins.pop(gb, []))
        joins[ga].append(signals)
    return [(sorted(m), joins.get(g, [])) for g, m in groups.items()]
