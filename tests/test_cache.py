"""The SQLite translation cache: keys, round trips, and two processes writing at once."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from pipeline import InputError
from pipeline.mt.cache import TranslationCache, cache_key

SETTINGS = {"backend": "torch", "num_beams": 4, "max_new_tokens": 64}


def test_round_trip_and_first_answer_wins(tmp_path: Path) -> None:
    key = cache_key("m@1", SETTINGS, "Xin chào")
    with TranslationCache(tmp_path / "c.sqlite") as cache:
        assert cache.get_many([key]) == {}
        cache.put_many("m@1", [(key, "Hello")])
        cache.put_many("m@1", [(key, "Hi")])  # INSERT OR IGNORE
    with TranslationCache(tmp_path / "c.sqlite") as cache:
        assert cache.get_many([key]) == {key: "Hello"}
        assert len(cache) == 1
        assert (cache.hits, cache.misses) == (1, 0)


@pytest.mark.parametrize(
    ("model", "settings", "source"),
    [
        ("m@2", SETTINGS, "Xin chào"),  # another revision
        ("m@1", {**SETTINGS, "backend": "ct2"}, "Xin chào"),  # another backend
        ("m@1", {**SETTINGS, "num_beams": 1}, "Xin chào"),  # other generation settings
        ("m@1", SETTINGS, "Xin chào!"),  # other text
    ],
)
def test_key_changes_with_each_part(model: str, settings: dict[str, object], source: str) -> None:
    assert cache_key(model, settings, source) != cache_key("m@1", SETTINGS, "Xin chào")


def test_key_ignores_settings_order() -> None:
    reordered = dict(reversed(list(SETTINGS.items())))
    assert cache_key("m@1", reordered, "a") == cache_key("m@1", SETTINGS, "a")


def test_many_keys_in_one_lookup(tmp_path: Path) -> None:
    items = [(cache_key("m", {}, str(i)), f"t{i}") for i in range(1200)]
    with TranslationCache(tmp_path / "c.sqlite") as cache:
        cache.put_many("m", items)
        assert len(cache.get_many([k for k, _ in items])) == 1200


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="not a usable translation cache"), TranslationCache(path):
        pass


def _writer(path: str, worker: int, rounds: int) -> None:
    with TranslationCache(Path(path)) as cache:
        for r in range(rounds):
            items = [(cache_key("m", {}, f"{worker}-{r}-{i}"), f"t{i}") for i in range(20)]
            items.append((cache_key("m", {}, f"shared-{r}"), f"worker {worker}"))
            cache.put_many("m", items)


@pytest.mark.parametrize("round_", range(3))
def test_two_processes_writing_at_once(tmp_path: Path, round_: int) -> None:
    # Regression: two processes creating the same new cache at once failed about half
    # the time with "database is locked" (the switch to WAL skips the busy handler).
    path = tmp_path / "shared.sqlite"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), w, 30)) for w in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with TranslationCache(path) as cache:
        assert len(cache) == 2 * 30 * 20 + 30
