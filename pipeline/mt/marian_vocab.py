"""A MarianMT snapshot's tokenizer on ``sentencepiece`` alone, without ``transformers``.

It reads the files an OPUS-MT snapshot ships (``source.spm``, ``target.spm``,
``vocab.json``, ``tokenizer_config.json``, ``special_tokens_map.json`` when
there is one) and encodes and decodes as ``transformers.MarianTokenizer``
(5.x) does, id for id:

- encoding splits the text at the special tokens (``</s>``, ``<unk>``,
  ``<pad>`` written in the text become those tokens), takes a language code
  (``>>xx<<``) off the start of each remaining part as one token, cuts the
  rest with the source sentencepiece model, maps pieces through
  ``vocab.json`` (``<unk>`` when absent: its ids are not sentencepiece's) and
  appends ``</s>``; no normalization, no truncation;
- decoding drops the special ids, maps the rest back to pieces (the
  sentencepiece model's own piece for an id outside the vocabulary) and joins
  them with the *source* sentencepiece model, as ``MarianTokenizer`` does
  unless the vocabularies are separate (``separate_vocabs``: the target's
  ``target_vocab.json`` and ``target.spm``), then ``▁`` becomes a space and
  the text is stripped.

``tests/test_marian_vocab.py`` holds it to ``MarianTokenizer`` on the seeds and
the shared test sets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import InputError, ModelError
from pipeline.io.files import read_bytes, read_json

__all__ = ["MarianVocab", "load_marian_vocab"]

UNDERLINE = "▁"
# MarianTokenizer's defaults, overridden by tokenizer_config.json or special_tokens_map.json.
DEFAULTS: dict[str, Any] = {
    "unk_token": "<unk>",
    "eos_token": "</s>",
    "pad_token": "<pad>",
    "model_max_length": 512,
    "separate_vocabs": False,
    "clean_up_tokenization_spaces": False,
}
# transformers' clean_up_tokenization, applied only when the config asks for it.
CLEAN_UP: tuple[tuple[str, str], ...] = (
    *((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'")),
    *((" n't", "n't"), (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")),
)


@dataclass(frozen=True)
class MarianVocab:
    """A Marian snapshot's vocabulary and sentencepiece models.

    Build it with :func:`load_marian_vocab`.

    Attributes:
        encoder: source piece -> id (``vocab.json``).
        decoder: id -> target piece (``vocab.json`` inverted, or ``target_vocab.json``).
        source: the source sentencepiece processor (encodes).
        joiner: the sentencepiece processor that joins decoded pieces.
        unk_id: id of ``<unk>``.
        eos_id: id of ``</s>``, appended to every input.
        pad_id: id of ``<pad>`` (padding, and Marian's decoder start).
        specials: the special tokens (split out of texts, dropped when decoding).
        model_max_length: the tokenizer's input limit.
        clean_up: apply transformers' ``clean_up_tokenization`` when decoding.
        target_encoder: target piece -> id (the encoder, unless separate).
    """

    encoder: dict[str, int]
    decoder: dict[int, str]
    source: Any
    joiner: Any
    unk_id: int
    eos_id: int
    pad_id: int
    specials: tuple[str, ...]
    model_max_length: int
    clean_up: bool
    target_encoder: dict[str, int]

    def pieces(self, text: str) -> list[str]:
        """The tokens of a text before ids: special tokens, language codes, pieces."""
        tokens: list[str] = []
        for part in _split_specials(text, self.specials):
            if part in self.specials:
                tokens.append(part)
                continue
            if part.startswith(">>") and (end := part.find("<<")) != -1:
                tokens.append(part[: end + 2])
                part = part[end + 2 :]
            tokens += self.source.encode(part, out_type=str)
        return tokens

    def encode(self, text: str) -> list[int]:
        """The model's input ids of a text, ``</s>`` last."""
        unk = self.unk_id
        return [self.encoder.get(t, unk) for t in self.pieces(text)] + [self.eos_id]

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        """:meth:`encode` of each text."""
        return [self.encode(t) for t in texts]

    def tokens(self, ids: Sequence[int]) -> list[str]:
        """Ids back to their vocabulary entries (what CTranslate2 reads and writes)."""
        return [self._token(i) for i in ids]

    def target_ids(self, tokens: Sequence[str]) -> list[int]:
        """Target tokens to ids, ``<unk>`` when absent."""
        unk = self.unk_id
        return [self.target_encoder.get(t, unk) for t in tokens]

    def decode(self, ids: Sequence[int]) -> str:
        """A generated id sequence as text, special tokens skipped, stripped."""
        skip = {self.encoder.get(t, self.unk_id) for t in self.specials}
        pieces = [self._token(i) for i in ids if i not in skip]
        text = self.joiner.decode_pieces(pieces).replace(UNDERLINE, " ").strip()
        if self.clean_up:
            for old, new in CLEAN_UP:
                text = text.replace(old, new)
        return text.strip()

    def _token(self, index: int) -> str:
        token = self.decoder.get(index)
        if token is not None:
            return token
        if not 0 <= index < self.joiner.get_piece_size():
            raise ValueError(f"token id {index}: in neither the vocabulary nor the spm model")
        return self.joiner.id_to_piece(index) or self._token(self.unk_id)


def _split_specials(text: str, specials: tuple[str, ...]) -> list[str]:
    """The text cut at the special tokens (kept as parts), empty parts dropped."""
    pattern = "|".join(re.escape(s) for s in sorted(specials, key=len, reverse=True))
    return [part for part in re.split(f"({pattern})", text) if part]


def _token_text(value: Any) -> str:
    """A token as the configs write it: a string, or an AddedToken dict with ``content``."""
    if isinstance(value, dict):
        value = value.get("content")
    if not isinstance(value, str) or not value:
        raise ValueError(f"a special token must be a string, got {value!r}")
    return value


def _config(folder: Path) -> dict[str, Any]:
    """MarianTokenizer's settings: defaults, then tokenizer_config, then special_tokens_map."""
    config = dict(DEFAULTS)
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        if (folder / name).is_file():
            data = read_json(folder / name)
            if not isinstance(data, dict):
                raise ValueError(f"{name} is not a JSON object")
            config.update({k: v for k, v in data.items() if k in DEFAULTS and v is not None})
    return config


def _spm(path: Path) -> Any:
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor()
    processor.LoadFromSerializedProto(read_bytes(path))
    return processor


def _vocab_file(path: Path) -> dict[str, int]:
    data = read_json(path)
    if not isinstance(data, dict) or not all(isinstance(v, int) for v in data.values()):
        raise ValueError(f"{path.name} is not a JSON object of token ids")
    return data


def load_marian_vocab(folder: Path) -> MarianVocab:
    """Read a Marian snapshot's tokenizer files.

    Raises:
        ModelError: a file missing or malformed, or a special token not in the vocabulary.
    """
    try:
        config = _config(folder)
        encoder = _vocab_file(folder / "vocab.json")
        specials = {k: _token_text(config[k]) for k in ("unk_token", "eos_token", "pad_token")}
        missing = [t for t in specials.values() if t not in encoder]
        if missing:
            raise ValueError(f"vocab.json has no {', '.join(missing)}")
        source = _spm(folder / "source.spm")
        separate = bool(config["separate_vocabs"])
        target = _vocab_file(folder / "target_vocab.json") if separate else encoder
        joiner = _spm(folder / "target.spm") if separate else source
    except (InputError, OSError, ValueError, RuntimeError) as exc:
        raise ModelError(f"{folder}: cannot read the tokenizer ({exc})") from exc
    return MarianVocab(
        encoder=encoder,
        decoder={i: t for t, i in target.items()},
        source=source,
        joiner=joiner,
        unk_id=encoder[specials["unk_token"]],
        eos_id=encoder[specials["eos_token"]],
        pad_id=encoder[specials["pad_token"]],
        specials=tuple(dict.fromkeys(specials.values())),
        model_max_length=int(config["model_max_length"]),
        clean_up=bool(config["clean_up_tokenization_spaces"]),
        target_encoder=target,
    )
