"""A tiny random MarianMT snapshot laid out like OPUS-MT, for the ct2 tests.

Like the real models, ``<pad>`` is the last vocabulary entry (the CTranslate2
converter drops that row and starts the decoder from a zero embedding), and
``</s>`` is 0, ``<unk>`` 1. The weights are random with a wide init so that
different inputs give different outputs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path


def build_tiny_snapshot(folder: Path, text: Path, seed: int = 0, init_std: float = 0.3) -> Path:
    """Train a sentencepiece model on ``text`` and save a random MarianMT beside it.

    Args:
        folder: where the snapshot is saved (``save_pretrained`` layout).
        text: lines to train the sentencepiece model on.
        seed: torch seed of the random weights.
        init_std: standard deviation of the random weights.

    Returns:
        ``folder``.
    """
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    spm.SentencePieceTrainer.train(
        input=str(text),
        model_prefix=str(folder / "sp"),
        vocab_size=600,
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
    vocab["<pad>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        str(folder / "source.spm"), str(folder / "target.spm"), str(folder / "vocab.json")
    )
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=128,
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
