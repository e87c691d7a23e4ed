"""Evaluate: figures equal sacrebleu's own, inputs join safely, bad input is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import ConfigError, InputError
from pipeline.cli import main
from pipeline.corpus.metrics import Scorer
from pipeline.evaluate import evaluate, read_lines
from pipeline.io.jsonl import write_records
from pipeline.records import Translation

WMT = Path(__file__).parent / "data" / "wmt23"
REF = WMT / "generaltest2023.zh-en.ref.en.head50"
SYSTEMS = ("NLLB_Greedy", "GPT4-5shot", "ONLINE-B")
HYPS = [WMT / f"generaltest2023.zh-en.hyp.{name}.en.head50" for name in SYSTEMS]


def _sacrebleu_cli(ref: Path, hyp: Path) -> dict[str, tuple[str, str]]:
    """metric -> (score printed with 6 decimals, signature) from sacrebleu's command line."""
    command = [sys.executable, "-m", "sacrebleu", str(ref), "-i", str(hyp)]
    command += ["-m", "bleu", "chrf", "ter", "-w", "6", "-f", "json"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    rows = json.loads(done.stdout)
    names = {"BLEU": "bleu", "chrF2": "chrf", "TER": "ter"}
    return {names[r["name"]]: (f"{r['score']:.6f}", r["signature"]) for r in rows}


@pytest.mark.slow
def test_corpus_scores_equal_sacrebleu_command_line() -> None:
    result = evaluate(REF, HYPS, samples=0)
    for hyp, name in zip(HYPS, result["systems"], strict=True):
        ours = result["corpus"][name]
        for metric, (score, signature) in _sacrebleu_cli(REF, hyp).items():
            assert f"{ours[metric]:.6f}" == score, (name, metric)
            assert ours["signatures"][metric] == signature


# p-values printed by sacrebleu 2.6.0 for the 50-line slice:
#   sacrebleu REF.head50 -i NLLB_Greedy GPT4-5shot ONLINE-B -m bleu chrf --paired-bs -f text
# GPT4-5shot: BLEU p = 0.0090, chrF2 p = 0.0020; ONLINE-B: p = 0.0010 for both.
PAIRED_GOLDEN = {
    HYPS[1].name: (0.0090, 0.0020),
    HYPS[2].name: (0.0010, 0.0010),
}


def test_paired_bootstrap_equals_sacrebleu_paired_bs() -> None:
    refs = read_lines(REF, "reference").texts
    systems = [(p.name, read_lines(p, "translation").texts) for p in HYPS]
    found = Scorer(refs).significance(systems)
    assert set(found) == set(PAIRED_GOLDEN)
    for name, (bleu_p, chrf_p) in PAIRED_GOLDEN.items():
        assert f"{found[name]['bleu_p']:.4f}" == f"{bleu_p:.4f}"
        assert f"{found[name]['chrf_p']:.4f}" == f"{chrf_p:.4f}"
        assert found[name]["baseline"] == HYPS[0].name


def test_line_scores_equal_sacrebleu_sentence_score() -> None:
    from sacrebleu.metrics import BLEU, CHRF, TER

    refs = read_lines(REF, "reference").texts[:20]
    hyps = read_lines(HYPS[1], "translation").texts[:20]
    lines = Scorer(refs).score(hyps).lines
    bleu, chrf, ter = BLEU(effective_order=True), CHRF(), TER()
    for row, hyp, ref in zip(lines, hyps, refs, strict=True):
        assert row["bleu"] == bleu.sentence_score(hyp, [ref]).score
        assert row["chrf"] == chrf.sentence_score(hyp, [ref]).score
        assert row["ter"] == ter.sentence_score(hyp, [ref]).score


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _keyed(tmp_path: Path) -> tuple[Path, Path, list[str], list[str]]:
    """A reference and a hypothesis over two documents, the hypothesis in another order."""
    refs = read_lines(REF, "reference").texts[:6]
    hyps = read_lines(HYPS[2], "translation").texts[:6]
    keys = [("a", "1"), ("a", "2"), ("a", "3"), ("b", "1"), ("b", "2"), ("b", "3")]
    ref_rows = [
        {"doc_id": d, "seg_id": s, "reference": r} for (d, s), r in zip(keys, refs, strict=True)
    ]
    hyp_rows = [
        {"doc_id": d, "seg_id": s, "translation": h} for (d, s), h in zip(keys, hyps, strict=True)
    ]
    ref = _jsonl(tmp_path / "refs.jsonl", ref_rows)
    hyp = _jsonl(tmp_path / "other.jsonl", list(reversed(hyp_rows)))
    return ref, hyp, refs, hyps


def test_keyed_inputs_join_by_ids_and_score_documents(tmp_path: Path) -> None:
    from sacrebleu import corpus_bleu, corpus_chrf

    ref, hyp, refs, hyps = _keyed(tmp_path)
    result = evaluate(ref, [hyp], samples=0)
    name = "other.jsonl"
    assert result["corpus"][name]["bleu"] == corpus_bleu(hyps, [refs]).score
    assert result["documents"]["b"][name]["chrf"] == corpus_chrf(hyps[3:], [refs[3:]]).score
    assert result["documents"]["a"][name]["bleu"] == corpus_bleu(hyps[:3], [refs[:3]]).score
    first = result["segments"][0]
    assert (first["doc_id"], first["seg_id"], first["line"]) == ("a", "1", 1)
    assert first["hypotheses"][name] == hyps[0] and set(first["scores"][name]) == {
        "bleu",
        "chrf",
        "ter",
    }


def test_tsv_reference_and_plain_hypothesis(tmp_path: Path) -> None:
    refs = read_lines(REF, "reference").texts[:4]
    ref = tmp_path / "refs.tsv"
    header = "doc_id\tseg_id\treference\n"  # optional; not a segment
    ref.write_text(header + "".join(f"d\t{i}\t{r}\n" for i, r in enumerate(refs)), "utf-8")
    hyp = tmp_path / "copy.txt"
    hyp.write_text("\n".join(refs) + "\n", "utf-8")
    result = evaluate(ref, [hyp], names=["copy"], samples=0)
    # A hypothesis equal to the reference: BLEU and chrF 100, TER 0.
    assert result["corpus"]["copy"]["bleu"] == pytest.approx(100.0)
    assert result["corpus"]["copy"]["ter"] == 0.0
    assert result["segments"][3]["seg_id"] == "3"


def test_missing_pair_names_first_ids_and_count(tmp_path: Path) -> None:
    ref, hyp, _, _ = _keyed(tmp_path)
    rows = [json.loads(line) for line in hyp.read_text().splitlines()]
    _jsonl(hyp, [r for r in rows if r["doc_id"] != "b" or r["seg_id"] == "3"])
    with pytest.raises(InputError, match=r"2 of 6 reference segments .* \(first: b/1, b/2\)"):
        evaluate(ref, [hyp], samples=0)


def test_runs_translations_are_the_default_hypothesis(tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    refs = read_lines(REF, "reference").texts[:3]
    hyps = read_lines(HYPS[1], "translation").texts[:3]
    records = [
        Translation("d", f"s{i}", i, "body", "zh", "en", "源", h, "opus-mt-zh-en")
        for i, h in enumerate(hyps)
    ]
    # An English segment of the run scores its source; an untranslated one without a
    # reference is not scored.
    records.append(
        Translation("d", "s3", 3, "body", "en", "en", "Hi", None, "-", status="identity")
    )
    records.append(
        Translation("d", "s9", 9, "body", "zh", "en", "源", None, "m", status="untranslated")
    )
    write_records(run / "translations.jsonl", records)
    rows = [{"doc_id": "d", "seg_id": f"s{i}", "reference": r} for i, r in enumerate(refs)]
    rows.append({"doc_id": "d", "seg_id": "s3", "reference": "Hi"})
    ref = _jsonl(tmp_path / "refs.jsonl", rows)
    assert main(["evaluate", "--ref", str(ref), "--out", str(run)]) == 0
    data = json.loads((run / "evaluation.json").read_text())
    assert data["systems"] == ["ours"] and data["significance"] == {}
    # issue 13 adds references, source and settings (tokenizer, metrics, bootstrap) to the file
    assert set(data) >= {"reference", "systems", "corpus", "significance", "documents", "segments"}
    assert data["segments"][3]["hypotheses"]["ours"] == "Hi"
    assert "ours" in capsys.readouterr().out


def _writer(text: str):
    def write(path: Path) -> Path:
        path.write_text(text, "utf-8")
        return path

    return write


def _latin1(path: Path) -> Path:
    path.write_bytes("Hello\nCafé au lait\n".encode("latin-1"))
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        # line counts differ: both files and both counts named
        (_writer("one\ntwo\n"), r"has 2 lines but .* has 50"),
        (_writer(""), "empty file"),
        (_writer("\n\n"), "empty file"),
        # "é" in Latin-1 is byte 0xE9 at offset 9: named, never scored
        (_latin1, "not UTF-8 at byte 9"),
        # UTF-16 with its byte order mark: refused at the first byte
        (lambda p: p.write_bytes("Hello\n".encode("utf-16")) and p, "not UTF-8 at byte 0"),
    ],
)
def test_bad_hypothesis_files_are_refused(tmp_path: Path, make, message: str) -> None:
    hyp = make(tmp_path / "hyp.txt")
    with pytest.raises(InputError, match=message) as caught:
        evaluate(REF, [hyp], samples=0)
    assert "hyp.txt" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"doc_id": "a", "seg_id": "1", "reference": "x"}\nnot json\n',
            r"refs.jsonl:2: not valid",
        ),
        ('{"doc_id": "a", "reference": "x"}\n', "refs.jsonl:1: expected an object with doc_id"),
        ('{"doc_id": "a", "seg_id": "1", "reference": 3}\n', "'reference' must be a string"),
        (
            '{"doc_id": "a", "seg_id": "1", "reference": "x"}\n'
            '{"doc_id": "a", "seg_id": "1", "reference": "y"}\n',
            "segment 2: duplicate doc_id/seg_id",
        ),
    ],
)
def test_malformed_references_are_refused(tmp_path: Path, content: str, message: str) -> None:
    ref = tmp_path / "refs.jsonl"
    ref.write_text(content, "utf-8")
    with pytest.raises(InputError, match=message):
        evaluate(ref, [REF], samples=0)


def test_jsonl_reference_with_byte_order_mark(tmp_path: Path) -> None:
    ref = tmp_path / "refs.jsonl"
    ref.write_text('\ufeff{"doc_id": "a", "seg_id": "1", "reference": "Hello there."}\n', "utf-8")
    hyp = tmp_path / "hyp.txt"
    hyp.write_text("Hello there.\n", "utf-8")
    assert evaluate(ref, [hyp], samples=0)["corpus"]["hyp.txt"]["chrf"] == 100.0


def test_names_must_fit(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="2 names for 1 hypotheses"):
        evaluate(REF, [HYPS[0]], names=["a", "b"], samples=0)
    with pytest.raises(ConfigError, match="must differ"):
        evaluate(REF, [HYPS[0], HYPS[0]], samples=0)
    assert main(["evaluate", "--ref", str(REF), "--hyp", str(tmp_path / "none.txt")]) == 2


def _shared_wmt() -> Path:
    repo = Path(__file__).resolve().parents[1]
    default = repo.parent / "shared" / "data" / "wmt23-zh-en"
    return Path(os.environ.get("PARALLAX_WMT23", default))


@pytest.mark.slow
@pytest.mark.skipif(not _shared_wmt().is_dir(), reason="the shared WMT23 zh-en set is absent")
def test_published_wmt23_figures() -> None:
    """sacrebleu 2.6.0 on the full WMT23 zh-en set (1976 lines), as the issue states."""
    folder = _shared_wmt()
    refs = read_lines(folder / "generaltest2023.zh-en.ref.en", "reference").texts
    scorer = Scorer(refs)
    expected = {
        "NLLB_Greedy": (20.49, 46.10),
        "GPT4-5shot": (26.76, 53.13),
        "ONLINE-B": (33.54, 57.45),
    }
    for name, (bleu, chrf) in expected.items():
        hyps = read_lines(folder / f"generaltest2023.zh-en.hyp.{name}.en", "translation").texts
        corpus = scorer.score(hyps, metrics=("bleu", "chrf")).corpus
        assert (f"{corpus['bleu']:.2f}", f"{corpus['chrf']:.2f}") == (f"{bleu:.2f}", f"{chrf:.2f}")
