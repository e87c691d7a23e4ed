"""Build a MarianMT model with random weights that loads through the real code path.

The real OPUS-MT weights cannot be downloaded in tests, so the tests build a
model of the same kind: a sentencepiece model (unigram, 1,000 pieces: with
``character_coverage`` 1.0 every one of the ~660 distinct Chinese characters of
the seeds needs a piece of its own, so 200-400 is too few) trained on the lines
of the demo articles in ``seeds/`` (Vietnamese, Chinese) plus some English, a ``vocab.json`` in the
Marian layout (``</s>`` = 0, ``<unk>`` = 1, ``<pad>`` = last id, which is also the
decoder start id, as in OPUS-MT), and a ``MarianMTModel`` with seeded random
weights saved with ``save_pretrained``. ``MarianMTModel.from_pretrained`` and
``MarianTokenizer.from_pretrained`` load the folder like a hub snapshot.

Two sizes:

- ``tiny``: d_model 16, 1+1 layers, 2 heads, FFN 32, 64 positions (small, so
  tests can exercise the splitting of over-long segments).
- ``opus``: the shape of an OPUS-MT model (d_model 512, 6+6 layers, 8 heads,
  FFN 2048, 512 positions, 65,001 vocabulary rows). sentencepiece cannot learn
  65k pieces from a few lines, so the small sentencepiece model is kept and
  ``vocab.json`` is padded with placeholder pieces up to 65,001 entries; the
  embedding matrix and the output layer have the full size, so the compute per
  token is that of the real model.

Outputs of random weights are nonsense: test behaviour, not wording.

Usage: ``python -m tests.support.tiny_marian models/tiny [--size opus]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

SEED_DIR = Path(__file__).resolve().parents[1] / "seeds"

ENGLISH = [
    "US Defense Secretary Lloyd Austin spoke with Russian Defense Minister Sergei Shoigu.",
    "The call lasted about an hour, an American official said on Friday.",
    "Russia and the United States used the hotline once since the war began.",
    "The ministry said 3.8 billion dollars and 40 billion yuan were spent.",
    "On 13 May 2022 the two ministers discussed the situation in Ukraine.",
]

SIZES = {
    "tiny": {"d_model": 16, "layers": 1, "heads": 2, "ffn": 32, "positions": 64, "vocab": 0},
    "opus": {
        "d_model": 512,
        "layers": 6,
        "heads": 8,
        "ffn": 2048,
        "positions": 512,
        "vocab": 65001,
    },
}


def _training_lines() -> list[str]:
    lines = list(ENGLISH)
    for path in sorted(SEED_DIR.glob("*.txt")):
        lines += [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return lines


def _train_spm(folder: Path, vocab_size: int) -> list[str]:
    """Train a sentencepiece model on the seed lines; write source/target.spm; return pieces."""
    import sentencepiece as spm

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.txt"
        corpus.write_text("\n".join(_training_lines()) + "\n", encoding="utf-8")
        prefix = Path(tmp) / "spm"
        spm.SentencePieceTrainer.train(
            input=str(corpus),
            model_prefix=str(prefix),
            vocab_size=vocab_size,
            character_coverage=1.0,
            model_type="unigram",
            hard_vocab_limit=False,
            minloglevel=2,
        )
        data = prefix.with_suffix(".model").read_bytes()
    (folder / "source.spm").write_bytes(data)
    (folder / "target.spm").write_bytes(data)
    proc = spm.SentencePieceProcessor(model_proto=data)
    return [proc.id_to_piece(i) for i in range(proc.get_piece_size())]


def _vocab(pieces: list[str], rows: int) -> dict[str, int]:
    """Marian layout: ``</s>`` 0, ``<unk>`` 1, pieces, placeholders, ``<pad>`` last."""
    vocab = {"</s>": 0, "<unk>": 1}
    for piece in pieces:
        if piece not in ("<s>", "</s>", "<unk>", "<pad>") and piece not in vocab:
            vocab[piece] = len(vocab)
    while len(vocab) < rows - 1:
        vocab[f"▁x{len(vocab)}"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    return vocab


def _marian_config(shape: dict[str, int], vocab_size: int, pad: int) -> Any:
    """A MarianConfig of the given shape; ``<pad>`` starts decoding, ``</s>`` (0) ends it."""
    from transformers import MarianConfig

    return MarianConfig(
        vocab_size=vocab_size,
        d_model=shape["d_model"],
        encoder_layers=shape["layers"],
        decoder_layers=shape["layers"],
        encoder_attention_heads=shape["heads"],
        decoder_attention_heads=shape["heads"],
        encoder_ffn_dim=shape["ffn"],
        decoder_ffn_dim=shape["ffn"],
        max_position_embeddings=shape["positions"],
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
    )


def build_tiny_marian(
    folder: Path, seed: int = 0, size: str = "tiny", spm_vocab: int = 1000
) -> Path:
    """Build a random-weight MarianMT model and tokenizer in ``folder``.

    Args:
        folder: where to write it (created).
        seed: torch seed of the random weights.
        size: ``tiny`` or ``opus`` (see the module docstring).
        spm_vocab: pieces of the sentencepiece model.

    Returns:
        ``folder``.
    """
    import torch
    from transformers import GenerationConfig, MarianMTModel

    shape = SIZES[size]
    folder.mkdir(parents=True, exist_ok=True)
    pieces = _train_spm(folder, spm_vocab)
    vocab = _vocab(pieces, max(shape["vocab"], len(pieces) + 3))
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"tokenizer_class": "MarianTokenizer", "model_max_length": shape["positions"]}),
        encoding="utf-8",
    )
    pad = vocab["<pad>"]
    config = _marian_config(shape, len(vocab), pad)
    torch.manual_seed(seed)
    model = MarianMTModel(config).eval()
    model.generation_config = GenerationConfig(
        num_beams=4,
        max_length=shape["positions"],
        bad_words_ids=[[pad]],
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
    )
    model.save_pretrained(folder)
    return folder


def main() -> None:
    """Build a model from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(build_tiny_marian(args.folder, seed=args.seed, size=args.size))


if __name__ == "__main__":
    main()
