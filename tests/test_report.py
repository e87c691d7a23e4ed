"""The report stage on hand-made run directories (see tests/support/report_fixture.py)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline import InputError
from pipeline.claims.records import Conflict
from pipeline.render.markup import anchor, slug
from pipeline.report import Config, run
from pipeline.run.runner import run_stage
from tests.support.report_fixture import HOSTILE, ODD_SEG, small_run


class Page(HTMLParser):
    """Collects what the tests look at: elements with attributes, scripts, text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.elements if "id" in a}

    def hrefs(self, cls: str | None = None) -> list[str]:
        return [
            a["href"]
            for t, a in self.elements
            if t == "a" and "href" in a and (cls is None or cls in a.get("class", "").split())
        ]


@pytest.fixture
def report(tmp_path: Path) -> tuple[str, Page]:
    run(Config(out=small_run(tmp_path)))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    return html, Page(html)


def test_data_is_escaped_everywhere(report: tuple[str, Page]) -> None:
    html, page = report
    # The fixture puts a <script> into a segment, a translation, an eval line and a fact value.
    assert len(page.scripts) == 1 and "alert" not in page.scripts[0]
    assert [t for t, _ in page.elements].count("script") == 1
    assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert HOSTILE in "".join(page.text)
    assert "Austin &lt;Shoigu&gt;" in html


def test_page_is_self_contained(report: tuple[str, Page]) -> None:
    html, page = report
    for tag, attrs in page.elements:
        assert "src" not in attrs, tag
        if tag == "link":
            pytest.fail(f"external resource {attrs}")
        for value in attrs.values():
            assert not value.startswith(("http:", "https:", "//")), (tag, attrs)
    assert "@import" not in html and "url(" not in html


def test_sections_and_columns(report: tuple[str, Page]) -> None:
    _, page = report
    assert {"run", "clusters", "documents", "evaluation", "eval-lines"} <= page.ids()
    assert {anchor("doc", "vi-001"), anchor("doc", "zh-003")} <= page.ids()
    heads = "".join(page.text)
    for column in ("source", "English", "reference", "NLLB"):
        assert column in heads
    # the failed file and its reason, from documents.jsonl
    assert "seeds/broken.txt" in heads and "not valid UTF-8 at byte 12" in heads
    assert "Helsinki-NLP/opus-mt-vi-en" in heads


def test_reference_column_joins_on_doc_and_seg(report: tuple[str, Page]) -> None:
    html, _ = report
    row = html.split(f'id="{anchor("seg", "vi-001", "s1")}"')[1].split('<div class="row')[0]
    assert "Austin had tried many times to talk to Shoigu." in row
    assert "NLLB-HYP Austin tried to reach Shoigu." in row
    assert "BLEU 12.3 · chrF 45.6 · TER 50.0" in row  # ours, under the English
    assert "BLEU 14.1" in row  # NLLB, under its column
    # the line without doc_id/seg_id is listed apart, not joined to a segment
    assert "LOOSE-REF" not in html.split('id="eval-lines"')[0]


def test_boilerplate_is_folded_closed(report: tuple[str, Page]) -> None:
    html, page = report
    details = [a for t, a in page.elements if t == "details" and "boiler" in a.get("class", "")]
    assert len(details) == 1 and "open" not in details[0]
    folded = html.split('<details class="boiler')[1].split("</details>")[0]
    assert "Theo dõi Baoquocte.vn trên" in folded
    assert "Ông Austin" not in folded


def test_flags_show_badge_with_raw_numbers(report: tuple[str, Page]) -> None:
    html, page = report
    flags = [
        a
        for t, a in page.elements
        if t == "span" and "flag" in a.get("class", "").split() and "title" in a
    ]
    assert len(flags) == 1
    assert flags[0]["title"] == "length_ratio=2.75; repeat=0"
    untranslated = [a for t, a in page.elements if a.get("title") == "segment too long"]
    assert untranslated, "untranslated segment shows its reason"
    flagged_rows = [a["id"] for t, a in page.elements if "flagged" in a.get("class", "").split()]
    assert flagged_rows == [anchor("seg", "vi-001", ODD_SEG), anchor("seg", "zh-003", "s2")]
    index = html.split('id="documents"')[1].split("</section>")[0]
    assert index.count("1 flagged") == 2  # one per document, in the document index


def test_cluster_members_link_to_existing_rows(report: tuple[str, Page]) -> None:
    html, page = report
    links = page.hrefs("seglink")
    assert links == [
        "#" + anchor("seg", "vi-001", ODD_SEG),
        "#" + anchor("seg", "zh-003", "s1"),
    ]
    assert {h[1:] for h in page.hrefs()} <= page.ids()  # no internal link dangles
    cluster = html.split(f'id="{anchor("cluster", "k1")}"')[1].split("</section>")[0]
    assert 'class="conflict"' in cluster and 'class="agree"' in cluster
    assert "baoquocte.vn" in cluster and "guancha.cn" in cluster and "2022-05-14" in cluster
    assert "names differ" in cluster


# Ids the data can hold: slugs must be safe and one-to-one (seg_id is opaque).
@pytest.mark.parametrize(
    ("parts_a", "parts_b"),
    [
        (("a-b", "c"), ("a", "b-c")),  # the joining dash must not be ambiguous
        (("d", "s 1"), ("d", "s_20_1")),  # an escaped form typed literally
        (("文", "1"), ("_6587_", "1")),
    ],
)
def test_anchor_is_injective_and_safe(parts_a: tuple[str, str], parts_b: tuple[str, str]) -> None:
    a, b = anchor("seg", *parts_a), anchor("seg", *parts_b)
    assert a != b
    for value in (a, b):
        assert all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in value)


def test_slug_keeps_plain_ids_readable() -> None:
    assert slug("vi001") == "vi001"
    assert anchor("seg", "doc1", "s4") == "seg-doc1-s4"


def test_run_stopped_after_segment_still_reports(tmp_path: Path) -> None:
    small_run(tmp_path, stop_after="segment")
    result = run(Config(out=tmp_path))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    page = Page(html)
    assert "clusters" not in page.ids() and "evaluation" not in page.ids()
    assert anchor("seg", "vi-001", "s1") in page.ids()
    assert result.counts["segments"] == 8 and result.counts["translations"] == 0


def test_documents_only_shows_paragraphs(tmp_path: Path) -> None:
    from pipeline.io.jsonl import write_records
    from pipeline.records import Document, Paragraph

    doc = Document(
        "d1", "x.txt", "c" * 64, "ok", lang="vi", paragraphs=(Paragraph(0, "body", "Xin chào"),)
    )
    write_records(tmp_path / "documents.jsonl", [doc])
    run(Config(out=tmp_path))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Xin chào" in html and anchor("par", "d1", "0") in Page(html).ids()


def test_up_to_date_then_overwrite(tmp_path: Path) -> None:
    small_run(tmp_path)
    first = run_stage("report", {"out": tmp_path})
    assert not first.reused
    assert run_stage("report", {"out": tmp_path}).reused
    assert not run_stage("report", {"out": tmp_path, "overwrite": True}).reused
    # a changed input makes it stale again
    (tmp_path / "claims.jsonl").write_text("", encoding="utf-8")
    assert not run_stage("report", {"out": tmp_path}).reused


def test_missing_documents_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"documents\.jsonl: not found"):
        run(Config(out=tmp_path))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ([], "expected a JSON object"),  # a list where the object belongs
        ({"segments": {"a": 1}}, "'segments' must be a list"),
        ({"segments": [1]}, r"segments\[1\] must be an object"),
        ({"systems": "ours"}, "'systems' must be a list"),
    ],
)
def test_bad_evaluation_names_file_and_part(tmp_path: Path, content: object, message: str) -> None:
    small_run(tmp_path)
    (tmp_path / "evaluation.json").write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        run(Config(out=tmp_path))
    assert "evaluation.json" in str(info.value)


def test_cli_report_writes_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    small_run(tmp_path)
    assert main(["report", "--out", str(tmp_path), "--title", "T <1>"]) == 0
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<title>T &lt;1&gt;</title>" in html
    assert "report: done" in capsys.readouterr().err


def test_manifest_failures_and_stages_are_shown(tmp_path: Path) -> None:
    from pipeline.io.atomic import atomic_write_json

    small_run(tmp_path)
    # A file ingest refused before it became a document exists only in the manifest.
    manifest = {
        "version": "0.1.0",
        "stages": {
            "ingest": {
                "started": "2026-01-01T00:00:00+00:00",
                "seconds": 1.5,
                "counts": {"documents": 3},
                "settings": {"max_bytes": 10},
            }
        },
        "files": {
            "seeds/huge.txt": {"status": "error", "error": "larger than 10 bytes <x>"},
            "seeds/ok.txt": {"status": "ok"},
        },
    }
    atomic_write_json(tmp_path / "manifest.json", manifest)
    run(Config(out=tmp_path))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    failed = html.split("Files that failed or were skipped (2)")[1].split("</table>")[0]
    assert "seeds/huge.txt" in failed and "larger than 10 bytes &lt;x&gt;" in failed
    assert "seeds/broken.txt" in failed and "seeds/ok.txt" not in failed
    assert "Stages (1)" in html and "documents 3" in html


def test_input_reads_run_files_beside_it(tmp_path: Path) -> None:
    source = small_run(tmp_path / "elsewhere")
    out = tmp_path / "out"
    result = run(Config(out=out, input=(source / "documents.jsonl",)))
    assert result.outputs == (out / "report.html",)
    assert result.counts["translations"] == 8 and result.counts["clusters"] == 1
    assert not (source / "report.html").exists()


@pytest.mark.parametrize(
    ("values", "conflict", "label", "cls"),
    [
        # The seeds run marked who/source red although align found no conflict: outlets
        # citing different agencies (reuters vs rt) is not a disagreement.
        (["reuters", "rt"], None, "no conflict", ""),
        (["2022-05-13", "2022-05-13"], None, "agree", "agree"),
        (["2022-05-13", None], None, "one source", ""),
        (["2022-05-13", "2022-05-14"], Conflict("when", {}), "conflict", "conflict"),
    ],
)
def test_fact_rows_show_the_align_verdict(
    values: list[str | None], conflict: Conflict | None, label: str, cls: str
) -> None:
    from pipeline.render.clusters import _slot_mark

    mark, got = _slot_mark(values, conflict)
    assert f">{label}<" in mark
    assert got == cls


@pytest.fixture(scope="module")
def seed_events(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Page]:
    from tests.support.event_fixture import event_run

    out = event_run(tmp_path_factory.mktemp("events"))
    run(Config(out=out))
    html = (out / "report.html").read_text("utf-8")
    return html, Page(html)


def test_events_come_above_the_claim_clusters(seed_events: tuple[str, Page]) -> None:
    html, page = seed_events
    assert html.index('id="events"') < html.index('id="clusters"') < html.index('id="documents"')
    events = html.split('id="events"')[1].split('id="clusters"')[0]
    # The 13 May call: its label, date, both outlets on the timeline, both languages side by side.
    call = next(c for c in events.split('class="event card"')[1:] if "2022-05-13" in c)
    assert "US and Russian defence" in call and "VietNamNet" in call and "观察者网" in call
    assert 'lang="vi"' in call and 'lang="zh"' in call and "first phone call" in call
    assert {h[1:] for h in page.hrefs()} <= page.ids()  # every event link lands


def test_labels_and_values_read_as_people_read_them(seed_events: tuple[str, Page]) -> None:
    html, _ = seed_events
    clusters = html.split('id="clusters"')[1].split('id="documents"')[0]
    assert "<h3>Cluster c" not in clusters  # named by their English, not a hash
    tables = re.findall(r'<table class="grid facts">.*?</table>', html)
    assert any("Russian Defence Ministry" in t for t in tables)  # the key ru-mod, as read
    assert not any("ru-mod" in t or ">moscow<" in t for t in tables)
    assert "VietNamNet (vi)" not in clusters and "VietNamNet · 2" in clusters


def test_single_source_clusters_fold_behind_a_filter(seed_events: tuple[str, Page]) -> None:
    html, _ = seed_events
    clusters = html.split('id="clusters"')[1].split('id="documents"')[0]
    shown, folded = clusters.split('<details class="single-clusters">')
    headings = re.findall(r"<h3>.*?</h3>", shown)
    assert headings and not any("verdict-single-source" in h for h in headings)
    assert folded.count('class="cluster card"') > shown.count('class="cluster card"')


def test_conflict_notes_name_outlets_and_sentences(report: tuple[str, Page]) -> None:
    html, _ = report
    cluster = html.split(f'id="{anchor("cluster", "k1")}"')[1].split("</section>")[0]
    notes = re.findall(r"<li>(?:when|where|amount|initiator|who): .*?</li>", cluster)
    assert notes and all("baoquocte.vn: “" in n or "guancha.cn: “" in n for n in notes)
