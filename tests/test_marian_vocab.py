"""Our sentencepiece tokenizer against transformers' MarianTokenizer, id for id.

Through the hub-shaped snapshots of tests/support/tiny_marian.py (opus-mt-vi-en
and opus-mt-zh-en files: separate source/target spm, one vocab.json with the
real row counts), on every line of the seeds and of the shared test sets
(WMT23 zh-en, IWSLT15 en-vi; skipped when ../shared/data is absent).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from pipeline import ModelError
from pipeline.mt.marian_vocab import MarianVocab, load_marian_vocab

ROOT = Path(__file__).resolve().parents[1]
SHARED = next((p / "shared" for p in ROOT.parents[:3] if (p / "shared" / "data").is_dir()), None)
# Each a case MarianTokenizer treats specially: special tokens written in the text
# (split out), language codes (only at the start of a part), empty and blank lines,
# no-break and zero-width spaces, characters outside the spm model.
EDGES = [
    "",
    " ",
    "a</s>b<unk> c<pad>d >>fr<< xin chào",
    ">>vie<<Xin chào",
    ">>x",
    "  leading  and\ttrailing  ",
    "\u00a0Hà Nội\u200b",
    "emoji 😀 and ☃",
]


def _lines(paths: list[Path]) -> list[str]:
    return [ln for p in paths for ln in p.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module", params=["vi-en", "zh-en"])
def snapshot(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.support.tiny_marian import build_tiny_marian

    folder = tmp_path_factory.mktemp("vocab") / f"opus-mt-{request.param}"
    return build_tiny_marian(folder, pair=request.param)


def _pair(folder: Path) -> tuple[object, MarianVocab]:
    from transformers import MarianTokenizer

    return MarianTokenizer.from_pretrained(folder), load_marian_vocab(folder)


def _same_ids(folder: Path, lines: list[str]) -> None:
    reference, ours = _pair(folder)
    expected = reference(lines, verbose=False)["input_ids"]  # type: ignore[operator]
    got = ours.encode_batch(lines)
    wrong = [line for line, a, b in zip(lines, expected, got, strict=True) if a != b]
    assert not wrong, f"{len(wrong)} lines encode differently, first: {wrong[0]!r}"


def test_seed_lines_encode_as_marian_tokenizer(snapshot: Path) -> None:
    lines = _lines(sorted((ROOT / "seeds").glob("*.txt"))) + EDGES
    assert len(lines) > 100
    _same_ids(snapshot, lines)


def test_shared_test_sets_encode_as_marian_tokenizer(snapshot: Path) -> None:
    if SHARED is None:
        pytest.skip("no ../shared/data beside the project")
    data = SHARED / "data"
    lines = _lines([data / "wmt23-zh-en" / "generaltest2023.zh-en.src.zh"])
    lines += _lines(sorted((data / "iwslt15-en-vi").glob("*.vi")))
    assert len(lines) > 4000
    _same_ids(snapshot, lines)


def _english(folder: Path) -> list[str]:
    from tests.support.tiny_marian import ENGLISH, ENGLISH_FILE

    lines = ENGLISH + ENGLISH_FILE.read_text(encoding="utf-8").splitlines()
    if SHARED is not None:
        lines += _lines([SHARED / "data" / "wmt23-zh-en" / "generaltest2023.zh-en.ref.en"])
    return lines


def test_decoding_matches_marian_tokenizer(snapshot: Path) -> None:
    reference, ours = _pair(snapshot)
    target = reference.spm_target  # type: ignore[attr-defined]
    # realistic outputs: English references cut by the target model, as ids, </s> last
    sequences = [[*ours.target_ids(target.encode(t, out_type=str)), 0] for t in _english(snapshot)]
    rng = random.Random(0)  # and any ids at all, specials and <unk> among them
    size = len(ours.encoder)
    sequences += [[rng.randrange(size) for _ in range(rng.randrange(40))] for _ in range(2000)]
    sequences += [[0, 1, size - 1, 5, 1, 0]]
    expected = reference.batch_decode(sequences, skip_special_tokens=True)  # type: ignore[attr-defined]
    got = [ours.decode(s) for s in sequences]
    wrong = [(a.strip(), b) for a, b in zip(expected, got, strict=True) if a.strip() != b]
    assert not wrong, f"{len(wrong)} sequences decode differently, first: {wrong[0]}"


def test_limits_and_special_ids(snapshot: Path) -> None:
    reference, ours = _pair(snapshot)
    assert ours.model_max_length == reference.model_max_length == 512  # type: ignore[attr-defined]
    assert (ours.eos_id, ours.unk_id) == (0, 1)
    assert ours.pad_id == reference.pad_token_id == len(ours.encoder) - 1  # type: ignore[attr-defined]
    assert ours.tokens(ours.encode("Xin chào"))[-1] == "</s>"


def test_separate_vocabularies(tiny_marian: Path, tmp_path: Path) -> None:
    # separate_vocabs (some OPUS-MT repos): target ids decode through target_vocab.json
    # and target.spm; inputs still encode through vocab.json
    folder = tmp_path / "separate"
    shutil.copytree(tiny_marian, folder)
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    target = {t: i for i, t in enumerate(reversed(list(vocab)))}  # other ids, same pieces
    (folder / "target_vocab.json").write_text(json.dumps(target), encoding="utf-8")
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    config["separate_vocabs"] = True
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    reference, ours = _pair(folder)
    _same_ids(folder, _lines(sorted((ROOT / "seeds").glob("*.txt")))[:200])
    rng = random.Random(1)
    sequences = [[rng.randrange(len(target)) for _ in range(20)] for _ in range(300)]
    expected = reference.batch_decode(sequences, skip_special_tokens=True)  # type: ignore[attr-defined]
    assert [ours.decode(s) for s in sequences] == [e.strip() for e in expected]


def test_broken_snapshot_is_a_model_error(tiny_marian: Path, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(tiny_marian, folder)
    (folder / "source.spm").unlink()
    with pytest.raises(ModelError, match=r"source\.spm"):
        load_marian_vocab(folder)
    (folder / "source.spm").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot read the tokenizer"):
        load_marian_vocab(folder)
    vocab = json.loads((tiny_marian / "vocab.json").read_text(encoding="utf-8"))
    del vocab["<unk>"]
    shutil.copy(tiny_marian / "source.spm", folder / "source.spm")
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    with pytest.raises(ModelError, match="no <unk>"):
        load_marian_vocab(folder)


def test_clean_up_tokenization_spaces(tiny_marian: Path, tmp_path: Path) -> None:
    # a tokenizer_config asking for transformers' clean-up (" ." -> "." ...) gets it
    folder = tmp_path / "clean"
    shutil.copytree(tiny_marian, folder)
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    config["clean_up_tokenization_spaces"] = True
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    reference, ours = _pair(folder)
    target = reference.spm_target  # type: ignore[attr-defined]
    texts = ["It 's here , is n't it ? Yes !", "They 're fine . We 've seen ' it ' ."]
    sequences = [ours.target_ids(target.encode(t, out_type=str)) for t in texts]
    expected = reference.batch_decode(sequences, skip_special_tokens=True)  # type: ignore[attr-defined]
    assert [ours.decode(s) for s in sequences] == [e.strip() for e in expected]
    assert ours.clean_up and " ," not in ours.decode(sequences[0])


def test_torch_backend_translates_as_with_marian_tokenizer(tmp_path: Path) -> None:
    # the torch backend feeds our ids, padded, and decodes with ours: the same outputs
    # as MarianTokenizer(padding=True) -> generate -> batch_decode, as it ran before
    # (test_ct2's fixture and inputs: there outputs differ from input to input)
    import torch
    from transformers import MarianMTModel

    from pipeline.mt.marian_translator import MarianTranslator
    from pipeline.mt.registry import ResolvedModel
    from pipeline.mt.translator import GenerationSettings
    from tests.support.tiny_marian import build_tiny_marian

    lines = (ROOT / "tests" / "data" / "ct2_inputs.txt").read_text(encoding="utf-8").splitlines()
    folder = build_tiny_marian(tmp_path / "ct2-sized", size="ct2", text=lines)
    snapshot = ResolvedModel(None, folder, "t", "r")  # type: ignore[arg-type]
    translator = MarianTranslator(snapshot, GenerationSettings(2, 8, 0, 1.0, "cpu"))
    texts = [*lines, "Xin chào", ">>vie<< a</s>b"]
    got = translator.translate_batch(texts)
    reference, _ = _pair(folder)
    model = MarianMTModel.from_pretrained(folder).eval()
    batch = reference(texts, return_tensors="pt", padding=True, truncation=False)  # type: ignore[operator]
    generate = {k: v for k, v in translator.settings().items() if k != "defaults_from"}
    with torch.inference_mode():
        out = model.generate(**batch, **generate)
    expected = reference.batch_decode(out, skip_special_tokens=True)  # type: ignore[attr-defined]
    assert got == [t.strip() for t in expected] and len(set(got)) >= 10
