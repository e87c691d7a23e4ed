"""Parquet and Hugging Face ``datasets`` exports (pyarrow, the ``parquet`` extra).

- ``parquet``: ``corpus.parquet``, every language pair in one table with the
  columns of ``corpus.jsonl`` (doc_id, seg_id, src_lang, tgt_lang, source,
  translation, model, flags).
- ``hf``: ``hf/<src>-<tgt>/train-00000-of-00001.parquet`` per language pair, rows
  ``{"translation": {"vi": ..., "en": ...}, "doc_id": ..., "seg_id": ...}`` as the
  WMT and OPUS datasets on the hub have them, and ``hf/README.md``, a dataset
  card whose YAML header declares one config per pair, the features, the split
  sizes, the languages and the models (with revisions) that translated them.
  ``datasets.load_dataset("parquet", data_dir="export/hf/vi-en")`` or
  ``load_dataset("export/hf", "vi-en")`` loads it.

Rows are buffered and written a row group at a time, through
:func:`pipeline.io.atomic.atomic_open`, so a file appears complete or not at all.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Mapping
from typing import IO, Any

from pipeline import ConfigError

__all__ = ["HF_FOLDER", "ParquetSink", "dataset_card", "hf_data_file", "require_pyarrow"]

HF_FOLDER = "hf"
ROW_GROUP = 10_000
_INSTALL = 'pip install "parallax-mt[parquet]"'


def require_pyarrow(formats: tuple[str, ...]) -> None:
    """Raise ConfigError up front when a columnar format is asked for without pyarrow."""
    wanted = [f for f in formats if f in ("parquet", "hf")]
    if wanted and importlib.util.find_spec("pyarrow") is None:
        raise ConfigError(f"export formats {', '.join(wanted)} need pyarrow: {_INSTALL}")


def hf_data_file(pair: str) -> str:
    """The data file of one language pair inside the hf folder."""
    return f"{HF_FOLDER}/{pair}/train-00000-of-00001.parquet"


def _schema(kind: str, src: str, tgt: str) -> Any:
    import pyarrow as pa

    ids = [("doc_id", pa.string()), ("seg_id", pa.string())]
    if kind == "hf":
        pair = pa.struct([(src, pa.string()), (tgt, pa.string())])
        return pa.schema([("translation", pair), *ids])
    return pa.schema(
        [
            *ids,
            ("src_lang", pa.string()),
            ("tgt_lang", pa.string()),
            ("source", pa.string()),
            ("translation", pa.string()),
            ("model", pa.string()),
            ("flags", pa.list_(pa.string())),
        ]
    )


class ParquetSink:
    """Rows into one Parquet file on an open binary handle, a row group at a time.

    Args:
        handle: the binary file (from :func:`pipeline.io.atomic.atomic_open`).
        kind: ``parquet`` (flat columns) or ``hf`` (a ``translation`` struct).
        src: source language (the ``hf`` struct's first field).
        tgt: target language.
    """

    def __init__(self, handle: IO[bytes], kind: str, src: str = "", tgt: str = "en") -> None:
        import pyarrow.parquet as pq

        self.schema = _schema(kind, src, tgt)
        self._writer = pq.ParquetWriter(handle, self.schema, compression="zstd")
        self._rows: list[dict[str, Any]] = []
        self.count = 0

    def write(self, row: dict[str, Any]) -> None:
        """Buffer one row; a full buffer becomes a row group."""
        self._rows.append(row)
        self.count += 1
        if len(self._rows) >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self.schema))
            self._rows = []

    def close(self) -> None:
        """Write the last row group and the footer (the handle stays open)."""
        self._flush()
        self._writer.close()


def dataset_card(
    pairs: Mapping[str, int],
    models: Mapping[str, list[str]],
    filters: Mapping[str, Mapping[str, object]],
    version: str,
) -> str:
    """The ``hf/README.md`` dataset card: YAML metadata, then a short description.

    Args:
        pairs: ``vi-en`` -> rows written.
        models: ``vi-en`` -> the model labels (``id@revision``) that translated it.
        filters: the export's filter summary.
        version: the parallax version.
    """
    languages = sorted({lang for pair in pairs for lang in pair.split("-")})
    configs, infos = [], []
    for pair, rows in sorted(pairs.items()):
        src, tgt = pair.split("-")
        configs.append(
            f"- config_name: {pair}\n  data_files:\n  - split: train\n"
            f"    path: {pair}/train-*.parquet"
        )
        infos.append(
            f"- config_name: {pair}\n  features:\n  - name: translation\n"
            f"    dtype:\n      translation:\n        languages:\n        - {src}\n"
            f"        - {tgt}\n  - name: doc_id\n    dtype: string\n  - name: seg_id\n"
            f"    dtype: string\n  splits:\n  - name: train\n    num_examples: {rows}"
        )
    size = sum(pairs.values())
    bucket = next(
        (name for limit, name in ((1e3, "n<1K"), (1e4, "1K<n<10K"), (1e5, "10K<n<100K"),
                                  (1e6, "100K<n<1M")) if size < limit),
        "n>1M",
    )  # fmt: skip
    header = "\n".join(
        [
            "---",
            "language:",
            *(f"- {lang}" for lang in languages),
            "task_categories:\n- translation",
            f"size_categories:\n- {bucket}",
            "tags:\n- machine-translated\n- parallax",
            "configs:",
            *configs,
            "dataset_info:",
            *infos,
            "---",
        ]
    )
    lines = [
        header,
        "",
        "# Parallax parallel corpus",
        "",
        f"Source sentences of news articles and their machine translations, exported by "
        f"parallax {version}. The English side is machine translation, not a human reference.",
        "",
        "| pair | rows | models (id@revision) |",
        "| --- | --- | --- |",
        *(
            f"| {pair} | {rows} | {', '.join(models.get(pair, [])) or '-'} |"
            for pair, rows in sorted(pairs.items())
        ),
        "",
        "Filters (failed: pairs failing it; dropped: pairs it removed):",
        "",
        "```json",
        json.dumps(filters, indent=2, sort_keys=True),
        "```",
        "",
        'Load one pair: `datasets.load_dataset("parquet", data_dir="hf/vi-en")`.',
        "",
    ]
    return "\n".join(lines)
