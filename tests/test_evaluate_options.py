"""Evaluate's options against sacrebleu's command line: paired CI, tokenizers, several
references, metrics; --src, --json, and reading back a reviewer's judgments."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import InputError
from pipeline.cli import main
from pipeline.corpus.judgments import read_judgments, summarize
from pipeline.evaluate import evaluate

WMT = Path(__file__).parent / "data" / "wmt23"
SRC = WMT / "generaltest2023.zh-en.src.zh.head50"
REF = WMT / "generaltest2023.zh-en.ref.en.head50"
SYSTEMS = ("GPT4-5shot", "NLLB_Greedy", "ONLINE-B")
HYPS = [WMT / f"generaltest2023.zh-en.hyp.{name}.en.head50" for name in SYSTEMS]
NAMES = {"BLEU": "bleu", "chrF2": "chrf", "TER": "ter"}


def _sacrebleu(*args: str, cwd: Path | None = None) -> str:
    command = [sys.executable, "-m", "sacrebleu", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=cwd)
    return done.stdout


def _paired_cli() -> dict[str, dict[str, tuple[str, ...]]]:
    """system -> metric -> printed (score, mean, ci[, p]) from ``--paired-bs -f text``."""
    names = [p.name for p in HYPS]  # run in WMT, so the table names the systems by file name
    args = [REF.name, "-i", *names, "-m", "bleu", "chrf", "ter", "--paired-bs", "-f", "text"]
    out = _sacrebleu(*args, cwd=WMT)
    rows = [line for line in out.splitlines() if line.startswith("│")]
    header = [c.strip().split(" ")[0] for c in rows[0].strip("│").split("│")][1:]
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    name = ""
    for row in rows[1:]:
        cells = [c.strip() for c in row.strip("│").split("│")]
        if cells[0]:
            name = cells[0].removeprefix("Baseline: ")
            for metric, cell in zip(header, cells[1:], strict=True):
                found.setdefault(name, {})[NAMES[metric]] = re.findall(r"[\d.]+", cell)
        else:  # the p-value line under a system
            for metric, cell in zip(header, cells[1:], strict=True):
                found[name][NAMES[metric]] += re.findall(r"p = ([\d.]+)", cell)
    return found


@pytest.mark.slow
def test_paired_mean_ci_and_p_equal_sacrebleu_paired_bs() -> None:
    result = evaluate(REF, HYPS)
    cli = _paired_cli()
    assert set(cli) == {p.name for p in HYPS}
    for name, metrics in cli.items():
        corpus = result["corpus"][name]
        for metric, printed in metrics.items():
            ci = corpus["bootstrap"][metric]
            ours = [f"{corpus[metric]:.1f}", f"{ci['mean']:.1f}", f"{ci['ci']:.1f}"]
            if name != HYPS[0].name:
                ours.append(f"{result['significance'][name][f'{metric}_p']:.4f}")
            assert ours == printed, (name, metric)


def test_paired_figures_equal_sacrebleu_paired_test_to_full_precision() -> None:
    from sacrebleu.metrics import BLEU, CHRF
    from sacrebleu.significance import PairedTest

    result = evaluate(REF, HYPS, metrics=["bleu", "chrf"])
    refs = [REF.read_text("utf-8").splitlines()]
    named = [(p.name, p.read_text("utf-8").splitlines()) for p in HYPS]
    metrics = {"bleu": BLEU(references=refs), "chrf": CHRF(references=refs)}
    _, table = PairedTest(named, metrics, None, test_type="bs", n_samples=1000)()
    for column, metric in (("BLEU", "bleu"), ("chrF2", "chrf")):
        for (name, _), res in zip(named, table[column], strict=True):
            ci = result["corpus"][name]["bootstrap"][metric]
            assert (ci["mean"], ci["ci"]) == pytest.approx((res.mean, res.ci), abs=1e-9)
            if res.p_value is not None:
                assert result["significance"][name][f"{metric}_p"] == res.p_value


def _cli_scores(refs: list[Path], hyp: Path, *extra: str) -> dict[str, tuple[str, str]]:
    out = _sacrebleu(*map(str, refs), "-i", str(hyp), "-w", "6", "-f", "json", *extra)
    rows = json.loads(out)
    rows = rows if isinstance(rows, list) else [rows]
    return {NAMES[r["name"]]: (f"{r['score']:.6f}", r["signature"]) for r in rows}


# -tok zh is what sacrebleu picks for Chinese targets; char and intl cover the others
# that need no model download. flores200 needs its SentencePiece model from the web.
@pytest.mark.parametrize("tokenize", ["zh", "char", "intl", "none"])
def test_tokenizer_equals_sacrebleu_tok(tokenize: str) -> None:
    result = evaluate(REF, HYPS[:1], samples=0, tokenize=tokenize, metrics=["bleu"])
    score, signature = _cli_scores([REF], HYPS[0], "-m", "bleu", "-tok", tokenize)["bleu"]
    assert f"{result['corpus'][HYPS[0].name]['bleu']:.6f}" == score
    assert result["corpus"][HYPS[0].name]["signatures"]["bleu"] == signature
    assert result["settings"]["tokenize"] == tokenize


def test_flores200_when_its_model_is_present() -> None:
    model = Path.home() / ".sacrebleu" / "models" / "flores200sacrebleuspm"
    if not model.exists():
        pytest.skip("flores200 needs sacrebleu's SentencePiece model, downloaded on first use")
    result = evaluate(REF, HYPS[:1], samples=0, tokenize="flores200", metrics=["bleu"])
    score, _ = _cli_scores([REF], HYPS[0], "-m", "bleu", "-tok", "flores200")["bleu"]
    assert f"{result['corpus'][HYPS[0].name]['bleu']:.6f}" == score


def test_several_references_equal_sacrebleu_multi_reference() -> None:
    # a second "reference": another system's output, so the two references differ
    refs = [REF, HYPS[2]]
    result = evaluate(refs, HYPS[:2], samples=0)
    for hyp in HYPS[:2]:
        cli = _cli_scores(refs, hyp, "-m", "bleu", "chrf", "ter")
        for metric, (score, signature) in cli.items():
            assert f"{result['corpus'][hyp.name][metric]:.6f}" == score, (hyp.name, metric)
            assert result["corpus"][hyp.name]["signatures"][metric] == signature
    first = result["segments"][0]
    assert first["references"][1] == HYPS[2].read_text("utf-8").splitlines()[0]
    assert result["references"] == [str(REF), str(HYPS[2])]


def test_metrics_source_and_json_on_stdout(tmp_path: Path, capsys) -> None:
    argv = ["evaluate", "--src", str(SRC), "--ref", str(REF), "--out", str(tmp_path)]
    argv += ["--hyp", str(HYPS[0]), "--hyp", str(HYPS[1]), "--names", "A,B"]
    argv += ["--metrics", "bleu,chrf", "--bootstrap", "200", "--json"]
    assert main(argv) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["systems"] == ["A", "B"] and "segments" not in printed
    assert set(printed["corpus"]["A"]) == {"bleu", "chrf", "signatures", "bootstrap"}
    assert set(printed["significance"]["B"]) == {"bleu_p", "chrf_p", "baseline"}
    data = json.loads((tmp_path / "evaluation.json").read_text("utf-8"))
    assert data["segments"][0]["source"] == SRC.read_text("utf-8").splitlines()[0]
    assert data["settings"]["bootstrap"] == 200


def test_bad_metric_and_short_source_are_refused(tmp_path: Path) -> None:
    base = ["evaluate", "--ref", str(REF), "--hyp", str(HYPS[0]), "--out", str(tmp_path)]
    assert main([*base, "--metrics", "bleu,meteor"]) == 2
    short = tmp_path / "src.zh"
    short.write_text("一\n二\n", "utf-8")
    with pytest.raises(InputError, match=r"src.zh has 2 lines but .* has 50"):
        evaluate(REF, HYPS[:1], samples=0, source=short)


def _judgment_rows() -> list[dict]:
    return [
        {"line": 1, "system": "A", "other": "B", "verdict": "better", "score": 4, "note": ""},
        {"line": 2, "system": "A", "other": "B", "verdict": "worse", "score": None, "note": "x"},
        {"line": 3, "system": "B", "other": "A", "verdict": "worse", "score": 2, "note": ""},
        {"line": 3, "system": "B", "other": "A", "verdict": "equal", "score": 3, "note": ""},
    ]


def test_judgments_jsonl_and_csv_read_back_the_same(tmp_path: Path) -> None:
    rows = _judgment_rows()
    jsonl = tmp_path / "j.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    csv_file = tmp_path / "j.csv"
    lines = ["line,doc_id,seg_id,system,other,verdict,score,note"]
    for r in rows:
        score = "" if r["score"] is None else r["score"]
        lines.append(f"{r['line']},,,{r['system']},{r['other']},{r['verdict']},{score},{r['note']}")
    csv_file.write_text("\n".join(lines) + "\n", "utf-8")
    assert read_judgments(jsonl) == read_judgments(csv_file)
    summary = summarize(read_judgments(jsonl))
    # line 3 judged twice: the later "equal" wins; "B worse than A" counts as "A better"
    assert summary["pairs"] == [{"system": "A", "other": "B", "better": 1, "worse": 1, "equal": 1}]
    assert summary["scores"]["A"]["mean"] == 4.0 and summary["scores"]["B"]["n"] == 1
    assert summary["notes"] == [{"line": 2, "system": "A", "note": "x"}]
    assert (summary["judgments"], summary["lines"]) == (3, 3)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"line": 0, "system": "A"}, r"j.jsonl:1: line 0 is not valid"),
        ({"line": 1, "system": "A", "score": 7}, "score 7 is not valid"),
        ({"line": 1, "system": "A", "verdict": "meh", "other": "B"}, "verdict 'meh'"),
        ({"line": 1, "system": "A", "verdict": "better"}, "without the other system"),
        ({"line": 1}, "no system"),
    ],
)
def test_bad_judgments_are_refused(tmp_path: Path, row: dict, message: str) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text(json.dumps(row) + "\n", "utf-8")
    with pytest.raises(InputError, match=message):
        read_judgments(path)


def test_evaluate_judgments_checks_the_evaluation(tmp_path: Path, capsys) -> None:
    argv = ["evaluate", "--ref", str(REF), "--out", str(tmp_path), "--names", "A,B"]
    assert main([*argv, "--hyp", str(HYPS[0]), "--hyp", str(HYPS[1]), "--bootstrap", "0"]) == 0
    path = tmp_path / "j.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _judgment_rows()), "utf-8")
    capsys.readouterr()
    assert main(["evaluate", "--judgments", str(path), "--out", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pairs"][0]["better"] == 1
    path.write_text(json.dumps({"line": 51, "system": "A"}) + "\n", "utf-8")
    assert main(["evaluate", "--judgments", str(path), "--out", str(tmp_path)]) == 2
    assert "line 51: the evaluation has 50 lines" in capsys.readouterr().err


def test_a_tokenizer_model_that_cannot_be_fetched_is_a_clear_error(monkeypatch) -> None:
    import urllib.error

    import sacrebleu.metrics

    from pipeline import ModelError

    def offline(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(sacrebleu.metrics, "BLEU", offline)  # no network in tests
    with pytest.raises(ModelError, match="flores200 tokenizer needs its SentencePiece model"):
        evaluate(REF, HYPS[:1], samples=0, tokenize="flores200", metrics=["bleu"])
