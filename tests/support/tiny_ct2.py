"""A tiny random MarianMT snapshot laid out like OPUS-MT, for the ct2 tests.

Like the real models, ``<pad>`` is the last vocabulary entry (the CTranslate2
converter drops that row and starts the decoder from a zero embedding), and
``</s>`` is 0, ``<unk>`` 1. The weights are random with a wide init (std 1.0)
so that different inputs give different outputs: with ``tests/support/tiny_marian.py``'s
model (std 0.02, 64 positions) nearly every input gets the same output, and
the equality of two backends would prove little. Benchmarks use
``tiny_marian``'s OPUS-MT-shaped model.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

TINY = {"d_model": 64, "layers": 2, "heads": 2, "ffn": 128, "pieces": 600, "vocab": 0}


def build_tiny_snapshot(
    folder: Path,
    text: Path,
    seed: int = 0,
    init_std: float = 1.0,
    shape: dict[str, int] | None = None,
) -> Path:
    """Train a sentencepiece model on ``text`` and save a random MarianMT beside it.

    Args:
        folder: where the snapshot is saved (``save_pretrained`` layout).
        text: lines to train the sentencepiece model on.
        seed: torch seed of the random weights.
        init_std: standard deviation of the random weights.
        shape: dimensions, :data:`TINY` by default; a ``vocab`` larger than the
            sentencepiece model pads the vocabulary with unused entries.

    Returns:
        ``folder``.
    """
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    shape = shape or TINY
    folder.mkdir(parents=True, exist_ok=True)
    spm.SentencePieceTrainer.train(
        input=str(text),
        model_prefix=str(folder / "sp"),
        vocab_size=shape["pieces"],
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    shutil.copy(folder / "sp.model", folder / "source.spm")
    shutil.move(folder / "sp.model", folder / "target.spm")
    (folder / "sp.vocab").unlink()
    pieces = spm.SentencePieceProcessor(model_file=str(folder / "source.spm"))
    vocab = {"</s>": 0, "<unk>": 1}
    for i in range(pieces.get_piece_size()):
        vocab.setdefault(pieces.id_to_piece(i), len(vocab))
    while len(vocab) < shape["vocab"] - 1:
        vocab[f"<unused{len(vocab)}>"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        str(folder / "source.spm"), str(folder / "target.spm"), str(folder / "vocab.json")
    )
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=shape["d_model"],
        encoder_layers=shape["layers"],
        decoder_layers=shape["layers"],
        encoder_attention_heads=shape["heads"],
        decoder_attention_heads=shape["heads"],
        encoder_ffn_dim=shape["ffn"],
        decoder_ffn_dim=shape["ffn"],
        max_position_embeddings=512,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        init_std=init_std,
    )
    torch.manual_seed(seed)
    MarianMTModel(config).eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
