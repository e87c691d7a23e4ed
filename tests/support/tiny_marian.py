"""Build a random-weight MarianMT snapshot laid out as the hub ships OPUS-MT.

The real OPUS-MT weights cannot be downloaded in tests, so the tests build a
model of the same kind, file for file and field for field as the hub's
``Helsinki-NLP/opus-mt-zh-en`` and ``opus-mt-vi-en``:

- ``pytorch_model.bin`` only: a legacy (non-zip) torch pickle of the state
  dict, embeddings tied, no ``lm_head.weight`` (``weights="safetensors"``
  writes ``model.safetensors`` instead, as fine-tunes saved today do);
- separate ``source.spm`` (trained on the seed articles' Vietnamese and Chinese
  lines, plus ``text``) and ``target.spm`` (English lines), and one
  ``vocab.json`` in the Marian layout: ``</s>`` 0, ``<unk>`` 1, the pieces of
  both, placeholders up to the real row count (65,001 for zh-en, 53,739 for
  vi-en), ``<pad>`` last, which is also the decoder start id;
- ``config.json`` with the real fields (``activation_function: swish``,
  ``static_position_embeddings``, ``scale_embedding``, ``num_beams: 6``,
  ``max_length: 512``, ``bad_words_ids: [[pad]]``, ``forced_eos_token_id: 0``)
  and ``generation_config.json`` (``renormalize_logits`` for vi-en only);
  ``generation_config=False`` leaves it out, as older revisions do;
- ``tokenizer_config.json`` with ``source_lang``/``target_lang``, and the
  ``.gitattributes`` and ``README.md`` every hub repo has.

Three shapes: ``tiny`` (d_model 16, 1+1 layers, 64 positions, so tests can
exercise the splitting of long segments), ``ct2`` (d_model 64, 2+2 layers, 512
positions, weights of std 1.0 so that different inputs give different outputs:
the ct2 equality tests need that), and ``opus`` (the real model's d_model 512,
6+6 layers, 8 heads, FFN 2048: benchmarks). Outputs of random weights are
nonsense: test behaviour, not wording.

Usage: ``python -m tests.support.tiny_marian models/tiny [--size opus] [--pair zh-en]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SEED_DIR = ROOT / "seeds"
ENGLISH_FILE = ROOT / "tests" / "data" / "ct2_english.txt"

ENGLISH = [
    "US Defense Secretary Lloyd Austin spoke with Russian Defense Minister Sergei Shoigu.",
    "The call lasted about an hour, an American official said on Friday.",
    "Russia and the United States used the hotline once since the war began.",
    "The ministry said 3.8 billion dollars and 40 billion yuan were spent.",
    "On 13 May 2022 the two ministers discussed the situation in Ukraine.",
]

SIZES: dict[str, dict[str, Any]] = {
    "tiny": {"d_model": 16, "layers": 1, "heads": 2, "ffn": 32, "positions": 64, "std": 0.02},
    "ct2": {"d_model": 64, "layers": 2, "heads": 2, "ffn": 128, "positions": 512, "std": 1.0},
    "opus": {"d_model": 512, "layers": 6, "heads": 8, "ffn": 2048, "positions": 512, "std": 0.02},
}
# The hub repos: vocabulary rows (``<pad>`` = rows - 1), tokenizer languages, renormalization.
PAIRS: dict[str, dict[str, Any]] = {
    "zh-en": {"rows": 65001, "source_lang": "zho", "renormalize": False},
    "vi-en": {"rows": 53739, "source_lang": "vie", "renormalize": True},
}
GITATTRIBUTES = "".join(
    f"*.{ext} filter=lfs diff=lfs merge=lfs -text\n"
    for ext in ("bin", "h5", "msgpack", "onnx", "ot", "pt", "pth", "safetensors", "spm", "tflite")
)


def _train_spm(lines: Sequence[str], vocab_size: int) -> bytes:
    """A unigram sentencepiece model of the lines (``character_coverage`` 1.0)."""
    import sentencepiece as spm

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.txt"
        corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(corpus),
            model_prefix=str(Path(tmp) / "spm"),
            vocab_size=vocab_size,
            character_coverage=1.0,
            model_type="unigram",
            hard_vocab_limit=False,
            minloglevel=2,
        )
        return (Path(tmp) / "spm.model").read_bytes()


def _pieces(model: bytes) -> list[str]:
    import sentencepiece as spm

    proc = spm.SentencePieceProcessor(model_proto=model)
    return [proc.id_to_piece(i) for i in range(proc.get_piece_size())]


def _vocab(pieces: list[str], rows: int) -> dict[str, int]:
    """Marian layout: ``</s>`` 0, ``<unk>`` 1, pieces, placeholders, ``<pad>`` last."""
    vocab = {"</s>": 0, "<unk>": 1}
    for piece in pieces:
        if piece not in ("<s>", "</s>", "<unk>", "<pad>"):
            vocab.setdefault(piece, len(vocab))
    while len(vocab) < rows - 1:
        vocab[f"▁x{len(vocab)}"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    return vocab


def hub_config(shape: dict[str, Any], rows: int) -> dict[str, Any]:
    """``config.json`` as the hub has it, with ``shape``'s dimensions and ``rows`` entries."""
    pad = rows - 1
    return {
        "activation_dropout": 0.0,
        "activation_function": "swish",
        "architectures": ["MarianMTModel"],
        "attention_dropout": 0.0,
        "bad_words_ids": [[pad]],
        "bos_token_id": 0,
        "classifier_dropout": 0.0,
        "d_model": shape["d_model"],
        "decoder_attention_heads": shape["heads"],
        "decoder_ffn_dim": shape["ffn"],
        "decoder_layerdrop": 0.0,
        "decoder_layers": shape["layers"],
        "decoder_start_token_id": pad,
        "decoder_vocab_size": rows,
        "dropout": 0.1,
        "encoder_attention_heads": shape["heads"],
        "encoder_ffn_dim": shape["ffn"],
        "encoder_layerdrop": 0.0,
        "encoder_layers": shape["layers"],
        "eos_token_id": 0,
        "forced_eos_token_id": 0,
        "init_std": shape["std"],
        "is_encoder_decoder": True,
        "max_length": 512,
        "max_position_embeddings": shape["positions"],
        "model_type": "marian",
        "normalize_before": False,
        "normalize_embedding": False,
        "num_beams": 6,
        "num_hidden_layers": shape["layers"],
        "pad_token_id": pad,
        "scale_embedding": True,
        "share_encoder_decoder_embeddings": True,
        "static_position_embeddings": True,
        "transformers_version": "4.22.0.dev0",
        "use_cache": True,
        "vocab_size": rows,
    }


def hub_generation_config(rows: int, renormalize: bool) -> dict[str, Any]:
    """``generation_config.json`` as the hub has it."""
    pad = rows - 1
    config: dict[str, Any] = {
        "bad_words_ids": [[pad]],
        "bos_token_id": 0,
        "decoder_start_token_id": pad,
        "eos_token_id": 0,
        "forced_eos_token_id": 0,
        "max_length": 512,
        "num_beams": 6,
        "pad_token_id": pad,
    }
    if renormalize:
        config["renormalize_logits"] = True
    return {**config, "transformers_version": "4.32.0.dev0"}


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _save_weights(model: Any, folder: Path, weights: str) -> None:
    """The state dict without the tied ``lm_head.weight``, as the hub's files hold it."""
    import torch

    state = {k: v for k, v in model.state_dict().items() if k != "lm_head.weight"}
    if weights == "bin":
        torch.save(state, folder / "pytorch_model.bin", _use_new_zipfile_serialization=False)
    elif weights == "safetensors":
        from safetensors.torch import save_file

        unshared = {k: v.detach().clone().contiguous() for k, v in state.items()}
        save_file(unshared, str(folder / "model.safetensors"), metadata={"format": "pt"})
    else:
        raise ValueError(f"weights {weights!r}: expected bin or safetensors")


def _training_lines() -> tuple[list[str], list[str]]:
    source: list[str] = []
    for path in sorted(SEED_DIR.glob("*.txt")):
        source += [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    english = ENGLISH + ENGLISH_FILE.read_text(encoding="utf-8").splitlines()
    return source, english


def build_tiny_marian(
    folder: Path,
    seed: int = 0,
    size: str = "tiny",
    spm_vocab: int = 1000,
    *,
    pair: str = "vi-en",
    rows: int | None = None,
    weights: str = "bin",
    generation_config: bool = True,
    text: Sequence[str] = (),
    eos_bias: float = 0.0,
) -> Path:
    """Build a random-weight OPUS-MT-shaped snapshot in ``folder``.

    Args:
        folder: where to write it (created).
        seed: torch seed of the random weights.
        size: ``tiny``, ``ct2`` or ``opus`` (see the module docstring).
        spm_vocab: pieces of the source sentencepiece model.
        pair: ``vi-en`` or ``zh-en``: the hub repo whose files are copied.
        rows: vocabulary rows (default: the real repo's; 0: just the pieces).
        weights: ``bin`` (``pytorch_model.bin``, as the hub) or ``safetensors``.
        generation_config: write ``generation_config.json``.
        text: more source lines to train the source sentencepiece model on.
        eos_bias: added to ``</s>``'s output bias (``final_logits_bias``), so that
            random weights end some outputs early, or at once (empty outputs).

    Returns:
        ``folder``.
    """
    import torch
    from transformers import MarianConfig, MarianMTModel

    shape, info = SIZES[size], PAIRS[pair]
    folder.mkdir(parents=True, exist_ok=True)
    source_lines, english = _training_lines()
    source = _train_spm([*source_lines, *text], spm_vocab)
    target = _train_spm(english, 400)
    (folder / "source.spm").write_bytes(source)
    (folder / "target.spm").write_bytes(target)
    pieces = _pieces(source) + _pieces(target)
    vocab = _vocab(pieces, info["rows"] if rows is None else rows)
    _write_json(folder / "vocab.json", vocab)
    languages = {"target_lang": "eng", "source_lang": info["source_lang"]}
    _write_json(folder / "tokenizer_config.json", languages)
    config = hub_config(shape, len(vocab))
    _write_json(folder / "config.json", config)
    if generation_config:
        generation = hub_generation_config(len(vocab), info["renormalize"])
        _write_json(folder / "generation_config.json", generation)
    (folder / ".gitattributes").write_text(GITATTRIBUTES, encoding="utf-8")
    (folder / "README.md").write_text(
        f"---\ntags:\n- translation\nlicense: apache-2.0\n---\n\n### opus-mt-{pair}\n\n"
        "A random-weight replica of the hub repository's files, built for tests.\n",
        encoding="utf-8",
    )
    torch.manual_seed(seed)
    fields = {k: v for k, v in config.items() if k not in ("architectures", "transformers_version")}
    model = MarianMTModel(MarianConfig(**fields)).eval()
    if eos_bias:
        with torch.no_grad():
            model.final_logits_bias[0, 0] += eos_bias
    _save_weights(model, folder, weights)
    return folder


def main() -> None:
    """Build a model from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--pair", choices=sorted(PAIRS), default="vi-en")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(build_tiny_marian(args.folder, seed=args.seed, size=args.size, pair=args.pair))


if __name__ == "__main__":
    main()
