"""Batching, deduplication and splitting, with plain functions in place of a model."""

from __future__ import annotations

import pytest

from pipeline.mt.batching import plan_batches, translate_all, unique
from pipeline.mt.pieces import join_pieces, split_to_fit


def _chars(texts: list[str]) -> list[int]:
    """A stand-in token counter: one token per character."""
    return [len(t) for t in texts]


@pytest.mark.parametrize(
    ("lengths", "size", "budget", "expected"),
    [
        # longest first; the count limit closes batches
        ([1, 5, 3, 2], 2, 100, [[1, 2], [3, 0]]),
        # the padded-token budget closes batches: 5*2 > 9
        ([5, 5, 5], 10, 9, [[0], [1], [2]]),
        # a text longer than the budget gets a batch of its own
        ([50, 1, 1], 10, 10, [[0], [1, 2]]),
        ([], 4, 10, []),
    ],
)
def test_plan_batches(
    lengths: list[int], size: int, budget: int, expected: list[list[int]]
) -> None:
    assert plan_batches(lengths, size, budget) == expected


@pytest.mark.parametrize("size", [1, 3, 7])
def test_plan_batches_keeps_every_position_once_within_limits(size: int) -> None:
    lengths = [(i * 7) % 13 + 1 for i in range(40)]
    batches = plan_batches(lengths, size, 30)
    assert sorted(i for b in batches for i in b) == list(range(40))
    for batch in batches:
        assert len(batch) <= size
        assert len(batch) == 1 or max(lengths[i] for i in batch) * len(batch) <= 30


def test_translate_all_restores_order_and_reports_batches() -> None:
    texts = ["ccc", "a", "bb", "dddd"]
    seen: list[list[int]] = []
    out = translate_all(
        texts, _chars(texts), lambda b: [t.upper() for t in b], 2, 100, lambda b, _: seen.append(b)
    )
    assert out == ["CCC", "A", "BB", "DDDD"]
    assert sorted(i for b in seen for i in b) == [0, 1, 2, 3]


def test_translate_all_rejects_a_short_answer() -> None:
    with pytest.raises(RuntimeError, match="returned 0 results"):
        translate_all(["a"], [1], lambda b: [], 2, 100)


def test_unique() -> None:
    assert unique(["x", "y", "x", "z", "y"]) == (["x", "y", "z"], [0, 1, 0, 2, 1])


@pytest.mark.parametrize(
    ("text", "limit", "pieces"),
    [
        # fits: untouched
        ("short one", 20, ["short one"]),
        # commas first (Vietnamese seed style), clauses packed while they fit
        ("aaa bbb, ccc ddd, eee fff", 17, ["aaa bbb, ccc ddd,", "eee fff"]),
        # semicolons before commas
        ("aa, bb; cc, dd", 8, ["aa, bb;", "cc, dd"]),
        # Chinese clause marks ，；、
        (
            "美国防长，俄罗斯防长；通话一小时、讨论乌克兰",
            8,
            ["美国防长，", "俄罗斯防长；", "通话一小时、", "讨论乌克兰"],
        ),
        # whitespace as the last natural boundary
        ("one two three four five", 10, ["one two", "three four", "five"]),
        # no boundary at all: a hard cut between characters
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
    ],
)
def test_split_to_fit(text: str, limit: int, pieces: list[str]) -> None:
    got = split_to_fit(text, _chars, limit)
    assert got == pieces
    assert all(len(p) <= limit for p in got)
    assert "".join(got).replace(" ", "") == text.replace(" ", "")


def test_join_pieces() -> None:
    assert join_pieces([" The call, ", "lasted an hour. "]) == "The call, lasted an hour."


def test_a_short_answer_is_a_pipeline_error() -> None:
    from pipeline import ModelError, PipelineError
    from pipeline.mt.batching import TranslatorContractError

    assert issubclass(TranslatorContractError, ModelError)
    with pytest.raises(PipelineError, match="returned 0 results"):
        translate_all(["a"], [1], lambda b: [], 2, 100)
