"""One streaming pass that writes every requested corpus format into ``<out>/export/``.

:class:`CorpusWriter` keeps one atomic writer open per output file; every file
appears complete or not at all. The formats themselves are in
:mod:`pipeline.corpus.formats`.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from pipeline.corpus.columnar import ParquetSink, hf_data_file
from pipeline.corpus.formats import (
    TSV_COLUMNS,
    clean_text,
    escape_tsv,
    json_line,
    moses_line,
    public_model,
    tmx_head,
    tmx_tail,
    tmx_unit,
)
from pipeline.io.atomic import atomic_open, atomic_text_writer
from pipeline.records import Translation

__all__ = ["CorpusWriter"]


def _tsv_head() -> str:
    return "\t".join(TSV_COLUMNS) + "\n"


def _pair(t: Translation) -> str:
    return f"{t.src_lang}-{t.tgt_lang}"


class CorpusWriter:
    """Write pairs to every requested format at once, one handle per output file.

    Files are opened on the first pair that needs them and each goes through a
    temporary file renamed into place when the ``with`` block ends without an
    error; a failure leaves no half-written corpus behind.

    Args:
        folder: the export folder.
        formats: formats to write.
        tmx_multilingual: one TMX file for all language pairs.
    """

    def __init__(
        self, folder: Path, formats: Iterable[str], tmx_multilingual: bool = False
    ) -> None:
        self.folder = folder
        self.formats = tuple(formats)
        self.tmx_multilingual = tmx_multilingual
        self.counts: Counter[str] = Counter()
        self._stack = contextlib.ExitStack()
        self._handles: dict[str, IO[str]] = {}  # by file name: a Path per pair cost 30 %
        self._sinks: dict[Path, ParquetSink] = {}
        self.units: Counter[str] = Counter()
        self.models: dict[str, set[str]] = {}

    def __enter__(self) -> CorpusWriter:
        self._stack.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            for name, handle in self._handles.items():
                if name.endswith(".tmx"):
                    handle.write(tmx_tail())
            for sink in self._sinks.values():
                sink.close()
        self._stack.__exit__(*exc)  # type: ignore[arg-type]

    @property
    def paths(self) -> list[Path]:
        """The files opened so far, in opening order."""
        return [*(self.folder / name for name in self._handles), *self._sinks]

    def _sink(self, name: str, kind: str, t: Translation) -> ParquetSink:
        path = self.folder / name
        sink = self._sinks.get(path)
        if sink is None:
            handle = self._stack.enter_context(atomic_open(path, "wb"))
            sink = self._sinks[path] = ParquetSink(handle, kind, t.src_lang, t.tgt_lang)
        self.units[name] += 1
        return sink

    def _handle(self, name: str, head: Callable[[], str] | None = None) -> IO[str]:
        """The open file ``name``; opening it writes ``head()`` (built once, not per pair)."""
        handle = self._handles.get(name)
        if handle is None:
            handle = self._stack.enter_context(atomic_text_writer(self.folder / name))
            handle.write(head() if head is not None else "")
            self._handles[name] = handle
        self.units[name] += 1
        return handle

    def write(self, t: Translation) -> None:
        """Write one pair to every format."""
        pair = _pair(t)
        target = t.translation or ""
        self.models.setdefault(pair, set()).add(public_model(t.model))
        for fmt in self.formats:
            getattr(self, f"_write_{fmt}")(t, pair, target)
            self.counts[f"{pair}.{fmt}"] += 1

    def _write_jsonl(self, t: Translation, pair: str, target: str) -> None:
        self._handle("corpus.jsonl").write(json_line(_row(t, target)) + "\n")

    def _write_parquet(self, t: Translation, pair: str, target: str) -> None:
        self._sink("corpus.parquet", "parquet", t).write(_row(t, target))

    def _write_hf(self, t: Translation, pair: str, target: str) -> None:
        texts = {t.src_lang: clean_text(t.source), t.tgt_lang: clean_text(target)}
        row = {"translation": texts, "doc_id": t.doc_id, "seg_id": t.seg_id}
        self._sink(hf_data_file(pair), "hf", t).write(row)

    def _write_tsv(self, t: Translation, pair: str, target: str) -> None:
        handle = self._handle("corpus.tsv", _tsv_head)
        fields = (t.src_lang, t.tgt_lang, t.doc_id, t.seg_id, t.source, target)
        handle.write("\t".join(escape_tsv(f) for f in fields) + "\n")

    def _write_moses(self, t: Translation, pair: str, target: str) -> None:
        self._handle(f"corpus.{pair}.{t.src_lang}").write(moses_line(t.source) + "\n")
        self._handle(f"corpus.{pair}.{t.tgt_lang}").write(moses_line(target) + "\n")

    def _write_tmx(self, t: Translation, pair: str, target: str) -> None:
        multi = self.tmx_multilingual
        name = "corpus.tmx" if multi else f"corpus.{pair}.tmx"
        handle = self._handle(name, lambda: tmx_head("*all*" if multi else t.src_lang))
        props = {"x-doc-id": t.doc_id, "x-seg-id": t.seg_id, "x-model": public_model(t.model)}
        if t.flags:
            props["x-flags"] = ",".join(t.flags)
        variants = {t.src_lang: clean_text(t.source), t.tgt_lang: clean_text(target)}
        handle.write(tmx_unit(f"{t.doc_id}:{t.seg_id}", t.src_lang, variants, props))


def _row(t: Translation, target: str) -> dict[str, object]:
    """One pair as the JSONL and Parquet corpora hold it (the same columns in both)."""
    return {
        "doc_id": t.doc_id,
        "seg_id": t.seg_id,
        "src_lang": t.src_lang,
        "tgt_lang": t.tgt_lang,
        "source": clean_text(t.source),
        "translation": clean_text(target),
        "model": public_model(t.model),
        "flags": list(t.flags),
    }
