"""Fixture run directories for the report tests and bench, written with pipeline.io.files.

``small_run`` is a hand-made run with every feature the report shows: a
Vietnamese and a Chinese article about the 13 May 2022 Austin–Shoigu call
(sentences taken from seeds/001 and seeds/003), a failed file, boilerplate, a
flagged and an untranslated segment, hostile text and ids, an evaluation with
a reference and a second system, and one claim cluster with a conflict.

``repeated_run`` copies a run's records ``times`` times under new doc_ids (the
"seeds × 200" run of the browser and speed checks).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pipeline.claims.records import Claim, Cluster, ClusterMember, Conflict
from pipeline.io.atomic import atomic_write_json
from pipeline.io.files import read_text
from pipeline.io.jsonl import read_jsonl, write_jsonl, write_records
from pipeline.records import Document, Fact, Segment, Translation

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'
ODD_SEG = 's 3/"<é>#'  # opaque seg_id with characters unsafe in ids, URLs and HTML

# (doc_id, seg_id, role, lang, source, English, flags)
ROWS = [
    (
        "vi-001",
        "s0",
        "title",
        "vi",
        "Lãnh đạo quốc phòng Mỹ, Nga đối thoại lần đầu về cuộc chiến ở Ukraine",
        "US and Russian defence leaders talk for the first time about the war in Ukraine",
        (),
    ),
    (
        "vi-001",
        "s1",
        "body",
        "vi",
        "Ông Austin đã nhiều lần cố gắng đối thoại với Bộ trưởng Quốc phòng Nga Sergei Shoigu.",
        "Mr Austin had repeatedly tried to talk with Russian Defence Minister Sergei Shoigu.",
        (),
    ),
    (
        "vi-001",
        "s2",
        "boilerplate",
        "vi",
        "Theo dõi Baoquocte.vn trên",
        "Follow Baoquocte.vn on",
        (),
    ),
    (
        "vi-001",
        ODD_SEG,
        "body",
        "vi",
        "Cuộc điện đàm ngày 13/5 kéo dài khoảng một giờ.",
        "The phone call on 13 May lasted about an hour.",
        ("length-ratio",),
    ),
    ("vi-001", "s4", "body", "vi", HOSTILE, HOSTILE, ()),
    (
        "zh-003",
        "s0",
        "title",
        "zh",
        "美俄防长自俄乌冲突以来首次通话",
        "US and Russian defence ministers hold first call since the Russia-Ukraine conflict",
        (),
    ),
    (
        "zh-003",
        "s1",
        "body",
        "zh",
        "美国国防部长奥斯汀与俄罗斯国防部长绍伊古在5月13日进行了通话，持续约一个小时。",
        "US Defence Secretary Austin and Russian Defence Minister Shoigu spoke on 13 May"
        " for about an hour.",
        (),
    ),
    ("zh-003", "s2", "caption", "zh", "今日俄罗斯报道截图", None, ()),
]


def _documents() -> list[Document]:
    return [
        Document(
            "vi-001",
            "seeds/001_79f4e5ef3a90aeb7.txt",
            "a" * 64,
            "ok",
            lang="vi",
            lang_confidence=0.99,
            title="Lãnh đạo quốc phòng Mỹ, Nga đối thoại lần đầu",
            published="2022-05-14",
            outlet="baoquocte.vn",
            size_bytes=4000,
        ),
        Document(
            "zh-003",
            "seeds/003_acd6eea4268d958e.txt",
            "b" * 64,
            "ok",
            lang="zh",
            lang_confidence=0.99,
            title="美俄防长自俄乌冲突以来首次通话",
            published="2022-05-14",
            outlet="guancha.cn",
            size_bytes=5000,
        ),
        Document("bad-9", "seeds/broken.txt", None, "error", error="not valid UTF-8 at byte 12"),
    ]


def _segments_and_translations() -> tuple[list[Segment], list[Translation]]:
    segs, trs = [], []
    for i, (doc, sid, role, lang, src, eng, flags) in enumerate(ROWS):
        segs.append(Segment(doc, sid, i, i, role, lang, 0.95, src))
        model = f"Helsinki-NLP/opus-mt-{lang}-en"
        if eng is None:
            trs.append(
                Translation(
                    doc,
                    sid,
                    i,
                    role,
                    lang,
                    "en",
                    src,
                    None,
                    model,
                    status="untranslated",
                    reason="segment too long",
                )
            )
        else:
            quality = {"length_ratio": 2.75, "repeat": 0.0} if flags else {"length_ratio": 1.1}
            trs.append(Translation(doc, sid, i, role, lang, "en", src, eng, model, flags, quality))
    return segs, trs


def _cluster() -> tuple[list[Claim], Cluster]:
    vi, zh = ROWS[3], ROWS[6]
    claims = [
        Claim(
            "c-vi",
            "vi-001",
            vi[1],
            "vi",
            vi[4],
            vi[5],
            "baoquocte.vn",
            facts=(Fact("when", "2022-05-13", "13/5"), Fact("amount", "1 h", "một giờ")),
        ),
        Claim(
            "c-zh",
            "zh-003",
            zh[1],
            "zh",
            zh[4],
            zh[5],
            "guancha.cn",
            facts=(Fact("when", "2022-05-13", "5月13日"), Fact("amount", "1 h", "一个小时")),
        ),
    ]
    members = tuple(
        ClusterMember(
            c.claim_id, c.doc_id, c.seg_id, c.lang, c.source, c.translation, c.outlet, 0.81
        )
        for c in claims
    )
    cluster = Cluster(
        "k1",
        members,
        ("vi-001", "zh-003"),
        facts={
            "when": {"c-vi": "2022-05-13", "c-zh": "2022-05-13"},
            "who": {"c-vi": "Austin", "c-zh": "Austin <Shoigu>"},
        },
        verdict="conflict",
        conflicts=(
            Conflict("who", {"Austin": ["c-vi"], "Austin <Shoigu>": ["c-zh"]}, "names differ"),
        ),
        event_date="2022-05-13",
        langs=("vi", "zh"),
    )
    return claims, cluster


def _evaluation() -> dict[str, Any]:
    vi = ROWS[1]
    return {
        "reference": "refs.en",
        "systems": ["ours", "NLLB"],
        "corpus": {
            "ours": {
                "bleu": 20.49,
                "chrf": 46.1,
                "ter": 60.1,
                "signatures": {"bleu": "nrefs:1|bs:1000", "chrf": "c", "ter": "t"},
            },
            "NLLB": {"bleu": 22.0, "chrf": 48.0, "ter": 58.0},
        },
        "significance": {"NLLB": {"bleu_p": 0.001, "chrf_p": 0.004, "baseline": "ours"}},
        "documents": {"vi-001": {"ours": {"bleu": 31.0, "chrf": 55.5}}},
        "segments": [
            {
                "doc_id": "vi-001",
                "seg_id": vi[1],
                "line": 1,
                "reference": "Austin had tried many times to talk to Shoigu.",
                "hypotheses": {"ours": vi[5], "NLLB": "NLLB-HYP Austin tried to reach Shoigu."},
                "scores": {
                    "ours": {"bleu": 12.3, "chrf": 45.6, "ter": 50.0},
                    "NLLB": {"bleu": 14.1, "chrf": 47.2, "ter": 48.0},
                },
            },
            {
                "doc_id": None,
                "seg_id": None,
                "line": 2,
                "reference": "LOOSE-REF " + HOSTILE,
                "hypotheses": {"ours": "a", "NLLB": "b"},
                "scores": {},
            },
        ],
    }


def small_run(out: Path, *, stop_after: str = "evaluate") -> Path:
    """Write the hand-made run into ``out``; ``stop_after="segment"`` stops early."""
    write_records(out / "documents.jsonl", _documents())
    segs, trs = _segments_and_translations()
    write_records(out / "segments.jsonl", segs)
    if stop_after == "segment":
        return out
    write_records(out / "translations.jsonl", trs)
    claims, cluster = _cluster()
    write_records(out / "claims.jsonl", claims)
    write_records(out / "alignments.jsonl", [cluster])
    atomic_write_json(out / "evaluation.json", _evaluation())
    return out


def repeated_run(source: Path, out: Path, times: int) -> Path:
    """Copy a run's JSONL records ``times`` times under new doc_ids (``<id>~<n>``)."""
    names = ["documents", "segments", "translations", "claims"]
    for name in names:
        path = source / f"{name}.jsonl"
        if path.is_file():
            write_jsonl(out / f"{name}.jsonl", _repeat(list(read_jsonl(path)), times))
    path = source / "alignments.jsonl"
    if path.is_file():
        clusters = list(read_jsonl(path))
        write_jsonl(
            out / "alignments.jsonl",
            (_renamed_cluster(c, n) for n in range(times) for c in clusters),
        )
    return out


def _repeat(objs: list[dict[str, Any]], times: int) -> Any:
    for n in range(times):
        for obj in objs:
            yield {**obj, "doc_id": f"{obj['doc_id']}~{n}"}


def _renamed_cluster(cluster: dict[str, Any], n: int) -> dict[str, Any]:
    members = [{**m, "doc_id": f"{m['doc_id']}~{n}"} for m in cluster["members"]]
    docs = [f"{d}~{n}" for d in cluster["docs"]]
    return {
        **cluster,
        "cluster_id": f"{cluster['cluster_id']}~{n}",
        "members": members,
        "docs": docs,
    }


_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")


def seed_run(seeds: Path, out: Path) -> Path:
    """A run made from the repo's seed articles without any model, for size checks.

    Lines are paragraphs; sentences are cut after ``.!?。！？``; the first line
    is the title and lines under 25 characters are boilerplate. The English
    column is a stand-in (``[vi→en] <source>``): the report's size and shape
    matter here, not the words. One cluster joins the first body sentence of
    each article; every seventh segment carries a quality flag.
    """
    docs, segs, trs, members = [], [], [], []
    for path in sorted(seeds.glob("*.txt")):
        text = read_text(path)
        lang = "zh" if re.search(r"[\u4e00-\u9fff]", text[:400]) else "vi"
        doc_id = path.stem
        docs.append(Document(doc_id, str(path), "0" * 64, "ok", lang=lang, title=path.stem))
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for par, line in enumerate(lines):
            role = "title" if par == 0 else "boilerplate" if len(line) < 25 else "body"
            for sentence in filter(None, _SENTENCE_END.split(line)):
                index = len([s for s in segs if s.doc_id == doc_id])
                seg = Segment(doc_id, f"p{par}s{index}", index, par, role, lang, 0.9, sentence)
                flags = ("length-ratio",) if len(segs) % 7 == 0 else ()
                trs.append(
                    Translation(
                        doc_id,
                        seg.seg_id,
                        index,
                        role,
                        lang,
                        "en",
                        sentence,
                        f"[{lang}→en] {sentence}",
                        f"opus-mt-{lang}-en",
                        flags,
                        {"length_ratio": 1.9 if flags else 1.0},
                    )
                )
                segs.append(seg)
                if role == "body" and not any(m.doc_id == doc_id for m in members):
                    members.append(
                        ClusterMember(
                            f"c-{doc_id}",
                            doc_id,
                            seg.seg_id,
                            lang,
                            sentence,
                            trs[-1].translation or "",
                            None,
                            0.7,
                        )
                    )
    facts = {"when": {m.claim_id: "2022-05-13" for m in members}}
    cluster = Cluster("k", tuple(members), tuple(m.doc_id for m in members), facts, "agree")
    write_records(out / "documents.jsonl", docs)
    write_records(out / "segments.jsonl", segs)
    write_records(out / "translations.jsonl", trs)
    write_records(out / "alignments.jsonl", [cluster])
    return out
