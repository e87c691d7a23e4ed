"""Events above claims: the seeds, the held-out articles, degraded MT, hard negatives."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.align import Config, run
from pipeline.claims.event_records import find_events
from pipeline.claims.records import Cluster, Event
from pipeline.claims.select import SegmentFacts, claims_of, read_segments
from pipeline.facts.actions import action_kind, compatible
from pipeline.facts.dates import event_dates
from pipeline.io.jsonl import read_records, write_records
from pipeline.records import Document, Translation

DATA = Path(__file__).parent / "data"
CALL_VN = "001_79f4e5ef3a90aeb7:p05s0"  # cuộc điện đàm ngày 13/5
CALL_ZH = "003_acd6eea4268d958e:p06s1"  # 5月13日 ... 首次与俄防长绍伊古进行了会谈
VIDEO_13_MAY = "001_79f4e5ef3a90aeb7:p10s1"  # the Ukrainian army's video released on 13/5
LINE = {"000_1280a4e69ba20f9d:p11s0", "001_79f4e5ef3a90aeb7:p07s0", "003_acd6eea4268d958e:p10s1"}
NONSENSE = "The the of a in the is of the to a."


def _run(tmp: Path, folder: str, degrade: bool = False) -> tuple[list[Event], list[Cluster]]:
    trans = DATA / folder / "translations.jsonl"
    if degrade:  # every translation the same nonsense, as with the tiny stand-in model
        rows = [replace(t, translation=NONSENSE) for t in read_records(trans, Translation)]
        trans = tmp / "degraded.jsonl"
        write_records(trans, rows)
    out = tmp / "out"
    run(Config(out=out, input=(trans, DATA / folder / "documents.jsonl"), similarity="lexical"))
    events = list(read_records(out / "events.jsonl", Event))
    return events, list(read_records(out / "alignments.jsonl", Cluster))


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Event], list[Cluster]]:
    return _run(tmp_path_factory.mktemp("seeds"), "align")


def _event_of(events: list[Event], seg_id: str) -> Event:
    return next(e for e in events if any(m.seg_id == seg_id for m in e.members))


def test_the_13_may_call_holds_vietnamese_and_chinese_reports_but_not_the_video(seeds) -> None:
    events, _ = seeds
    call = _event_of(events, CALL_VN)
    segs = {m.seg_id for m in call.members}
    assert CALL_ZH in segs and VIDEO_13_MAY not in segs
    assert call.langs == ("vi", "zh") and call.when == "2022-05-13"
    assert {d.outlet for d in call.documents} == {"VietNamNet", "观察者网"}
    assert call.slots["when"] == "agree"


def test_the_2022_line_spans_three_articles_and_the_2017_hotline_and_nato_stay_apart(
    seeds,
) -> None:
    events, _ = seeds
    line = _event_of(events, "001_79f4e5ef3a90aeb7:p07s0")
    assert {m.seg_id for m in line.members} >= LINE
    assert len(line.documents) == 3
    for event in events:
        docs = {d.doc_id[:3] for d in event.documents}
        if "002" in docs or "004" in docs:
            assert len(docs) == 1, event.label


def test_a_segment_is_in_at_most_one_event_and_clusters_name_theirs(seeds) -> None:
    events, clusters = seeds
    members = [(m.doc_id, m.seg_id) for e in events for m in e.members]
    assert len(members) == len(set(members))
    ids = {e.event_id for e in events}
    for cluster in clusters:
        if cluster.event_id is not None:
            assert cluster.event_id in ids
    for event in events:
        assert set(event.claims) <= {c.cluster_id for c in clusters}
        assert all(c.event_id == event.event_id for c in clusters if c.cluster_id in event.claims)


def test_event_ids_are_stable_across_reruns(seeds, tmp_path: Path) -> None:
    again, _ = _run(tmp_path, "align")
    assert [e.event_id for e in again] == [e.event_id for e in seeds[0]]


def _links(events: list[Event]) -> set[tuple[str, str]]:
    out = set()
    for e in events:
        for a, b in itertools.combinations(sorted(m.seg_id for m in e.members), 2):
            if a.split(":")[0] != b.split(":")[0]:
                out.add((a, b))
    return out


@pytest.mark.parametrize("degrade", [False, True])
@pytest.mark.parametrize("folder", ["align", "events", "events_blind"])
def test_event_links_against_the_gold_labels(tmp_path: Path, folder: str, degrade: bool) -> None:
    gold_events = json.loads((DATA / folder / "gold.json").read_text("utf-8"))["events"]
    event_of = {seg: name for name, segs in gold_events.items() for seg in segs}
    gold = _links([_gold_event(name, segs) for name, segs in gold_events.items()])
    found = _links(_run(tmp_path, folder, degrade)[0])
    across = {(a, b) for a, b in found if a in event_of and b in event_of}
    assert all(event_of[a] == event_of[b] for a, b in across), "a link between different events"
    precision = len(found & gold) / len(found)
    recall = len(found & gold) / len(gold)
    assert 2 * precision * recall / (precision + recall) >= 0.9


def _gold_event(name: str, segs: list[str]) -> Event:
    from pipeline.claims.records import EventMember

    members = tuple(EventMember(s.split(":")[0], s, "vi", "body", "", "") for s in segs)
    return Event(name, name, None, None, members, (), "single-source")


# Hand-made collections of same actors, different events.
def _seg(doc: str, n: int, source: str, lang: str, published: str) -> SegmentFacts:
    from pipeline.facts.extract import claim_facts

    t = Translation(doc, f"{doc}:p{n:02d}s0", n, "body", lang, "en", source, source, "identity")
    d = Document(doc, f"{doc}.txt", None, "ok", lang=lang, published=published, outlet=doc)
    return SegmentFacts(t, d, claim_facts(source, source, lang, published[:10]), published[:10])


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # Same leaders, same month, another year: Bali 2022 and Woodside 2023.
        (
            ("vi", "2022-11-15", "Ông Biden và ông Tập Cận Bình đã hội đàm tại Bali ngày 14/11."),
            ("zh", "2023-11-16", "11月15日，习近平同拜登在旧金山举行会晤。"),
            False,
        ),
        # A video released on the day of the call is not the call.
        (
            ("vi", "2022-05-14", "Ông Austin điện đàm với ông Shoigu ngày 13/5."),
            (
                "vi",
                "2022-05-14",
                "Quân đội Ukraine ngày 13/5 đã công bố một đoạn video về ông Shoigu.",
            ),
            False,
        ),
        # "The first talks since November 2022" is about the talks it reports.
        (
            (
                "vi",
                "2024-04-17",
                "Ông Austin điện đàm với ông Đổng Quân, lần đầu kể từ tháng 11/2022.",
            ),
            ("zh", "2022-11-23", "11月22日，魏凤和在柬埔寨会见美国国防部长奥斯汀。"),
            False,
        ),
        # A call is not the meeting of the same ministers three days later.
        (
            ("zh", "2022-05-14", "5月13日，美国国防部长奥斯汀与绍伊古通电话。"),
            ("vi", "2022-05-17", "Ông Austin gặp ông Shoigu ngày 16/5."),
            False,
        ),
        # Two languages, one call.
        (
            ("zh", "2022-05-14", "5月13日，美国国防部长奥斯汀与绍伊古通电话。"),
            ("vi", "2022-05-14", "Ông Austin điện đàm với ông Shoigu ngày 13/5."),
            True,
        ),
    ],
)
def test_same_actors_is_not_same_event(a: tuple, b: tuple, same: bool) -> None:
    segs = [_seg("da", 1, a[2], a[0], a[1]), _seg("db", 1, b[2], b[0], b[1])]
    claims = list(claims_of(segs, min_words=0))
    events, _ = find_events(segs, claims, [])
    docs = [{d.doc_id for d in e.documents} for e in events]
    assert ({"da", "db"} in docs) is same


@pytest.mark.parametrize(
    ("text", "lang", "kind"),
    [
        ("Ông Austin đã nhiều lần cố gắng đối thoại với ông Shoigu", "vi", "attempt"),  # seed 001
        ("bắt đầu một cuộc gọi thông qua đường dây “giảm xung đột”", "vi", "call"),  # seed 000
        ("Quân đội Ukraine ngày 13/5 đã cho công bố một đoạn video", "vi", "video"),  # seed 001
        ("đã điện đàm qua video với người đồng cấp", "vi", "call"),  # a video call is a call
        ("美俄双方建立了军事热线", "zh", "line-setup"),  # seed 003
        ("俄防长绍伊古同美防长奥斯汀进行了电话会谈", "zh", "call"),  # seed 003
        ("习近平同美国总统拜登举行会晤", "zh", "meeting"),
        ("The two sides exchanged views", "en", "talks"),
        ("Moscow has so far taken control of a strip of territory", "en", None),
    ],
)
def test_action_kind(text: str, lang: str, kind: str | None) -> None:
    assert action_kind(text, lang) == kind


def test_kinds_that_fit() -> None:
    assert compatible("talks", "call") and compatible("talks", "meeting")
    assert compatible("line", "line-setup") and compatible(None, "video")
    assert not compatible("call", "meeting") and not compatible("call", "video")
    assert not compatible("attempt", "call")


@pytest.mark.parametrize(
    ("text", "lang", "published", "dates"),
    [
        (
            "5月13日,美防长奥斯汀自2月18日以来首次与俄防长绍伊古进行了会谈。",
            "zh",
            "2022-05-14",
            ["2022-05-13"],
        ),  # seed 003
        ("Đây là cuộc trao đổi đầu tiên kể từ tháng 11/2022.", "vi", "2024-04-17", []),
        ("这是两国元首继去年11月巴厘岛会晤后再次面对面会谈。", "zh", "2023-11-16", []),
        (
            "The first talks since November 2022 took place on 16 April.",
            "en",
            "2024-04-17",
            ["2024-04-16"],
        ),
        (
            "今年7月28日，两国元首曾通电话。",
            "zh",
            "2022-11-15",
            ["2022-07-28"],
        ),  # 今年 says nothing
    ],
)
def test_event_dates_leave_out_since_dates(
    text: str, lang: str, published: str, dates: list[str]
) -> None:
    assert [d.iso for d in event_dates(text, lang, published)] == dates


def test_segments_come_in_text_order(tmp_path: Path) -> None:
    rows = list(read_records(DATA / "events" / "translations.jsonl", Translation))
    docs = {d.doc_id: d for d in read_records(DATA / "events" / "documents.jsonl", Document)}
    segs = list(read_segments(reversed(rows), docs))
    h01 = [s.translation.seg_id for s in segs if s.translation.doc_id == "h01"]
    assert h01[:3] == ["h01:p00s0", "h01:p01s0", "h01:p01s1"]


def test_cli_summary_counts_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    data = DATA / "align"
    inputs = ["--input", str(data / "translations.jsonl"), "--input", str(data / "documents.jsonl")]
    status = main(["-q", "align", "--out", str(tmp_path), *inputs, "--similarity", "lexical"])
    assert status == 0
    err = capsys.readouterr().err
    events = list(read_records(tmp_path / "events.jsonl", Event))
    multi = sum(len(e.outlets) > 1 for e in events)
    assert f"events {len(events)}, events_multi_outlet {multi}, events_multi_lang 3" in err
    assert "event_conflicts 0" in err and str(tmp_path / "events.jsonl") in err
