"""The flags of each stage, shared by its subcommand and by ``parallax run``.

Every flag defaults to ``argparse.SUPPRESS`` so that only flags given on the
command line override the config file; each flag's dest is the name of a
setting in that stage's ``Config``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.mt.backends import BACKENDS
from pipeline.mt.ct2_convert import QUANTIZATIONS
from pipeline.mt.translator import DEVICES
from pipeline.translate import EXECUTORS

__all__ = [
    "STAGE_HELP",
    "STAGE_OPTIONS",
    "SUPPRESS",
    "KeyTableFormatter",
    "comma_list",
    "key_epilog",
    "models_parsers",
    "verbosity",
]

SUPPRESS = argparse.SUPPRESS


class KeyTableFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's table of flags and keys as written."""


def verbosity(p: argparse.ArgumentParser) -> None:
    """-v/-q after the subcommand too (kept apart from the top-level ones, then added up)."""
    p.add_argument("-v", "--verbose", dest="sub_verbose", action="count", default=0, help=SUPPRESS)
    p.add_argument("-q", "--quiet", dest="sub_quiet", action="store_true", help=SUPPRESS)


def key_epilog(p: argparse.ArgumentParser, table: str) -> str:
    """Which flag sets which config-file key, for ``--help``."""
    rows = [
        f"  --{a.option_strings[-1].lstrip('-'):22} [{table}] {a.dest}"
        for a in p._actions
        if a.option_strings and a.dest not in _NOT_KEYS and a.help is not SUPPRESS
    ]
    return "config file (--config): flag -> table and key\n" + "\n".join(rows)


_NOT_KEYS = frozenset({"help", "config", "out", "overwrite", "input", "sub_verbose", "sub_quiet"})
def _lines_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lines",
        action="store_true",
        default=SUPPRESS,
        help="line mode: each input line is one segment, kept as it is; writes translations.txt",
    )


def _ingest_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-bytes", type=int, default=SUPPRESS, help="refuse files larger than this")
    _lines_option(p)


def _seed_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=SUPPRESS, help="langdetect seed (default 0)")


def _detect_options(p: argparse.ArgumentParser) -> None:
    _seed_option(p)
    p.add_argument(
        "--languages",
        nargs="+",
        default=SUPPRESS,
        metavar="CODE",
        help="languages to translate; documents in others are skipped (default: vi zh en)",
    )


def _segment_options(p: argparse.ArgumentParser) -> None:
    _seed_option(p)
    _lines_option(p)


def _report_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--title", default=SUPPRESS, help="page title of report.html")
    p.add_argument(
        "--review",
        action="store_true",
        default=SUPPRESS,
        help="the review page of evaluation.json (the page anyway without documents.jsonl)",
    )


def comma_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _export_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        dest="formats",
        type=comma_list,
        action="extend",
        default=SUPPRESS,
        help="jsonl, tsv, moses, tmx, parquet, hf, comparable (cross-language sentence pairs of "
        "each event, from events.jsonl); repeat or comma list; default jsonl,tmx,moses",
    )
    p.add_argument(
        "--roles", type=comma_list, action="extend", default=SUPPRESS, help="default title,body"
    )
    p.add_argument(
        "--min-lang-confidence", type=float, default=SUPPRESS, help="drop less certain documents"
    )
    p.add_argument(
        "--drop-flagged",
        type=comma_list,
        nargs="?",
        const=["any"],
        default=SUPPRESS,
        metavar="FLAGS",
        help="drop pairs with quality flags (all flags, or only those named)",
    )
    p.add_argument("--dedupe", action="store_true", default=SUPPRESS, help="identical pairs once")
    p.add_argument(
        "--tmx-multilingual", action="store_true", default=SUPPRESS, help="one TMX for all pairs"
    )
    p.add_argument(
        "--filter",
        dest="filters",
        type=comma_list,
        action="extend",
        default=SUPPRESS,
        help="drop pairs failing: length_ratio, lang_id, near_duplicate, flags (comma list)",
    )
    p.add_argument(
        "--max-length-ratio", type=float, default=SUPPRESS, help="length_ratio limit (3.0)"
    )


def _align_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--similarity",
        choices=("auto", "embed", "lexical"),
        default=SUPPRESS,
        help="text similarity: sentence embeddings, TF-IDF, or embed when available (default)",
    )
    p.add_argument("--threshold", type=float, default=SUPPRESS, help="pair score to join")
    p.add_argument("--min-text", type=float, default=SUPPRESS, help="text similarity to join")
    p.add_argument(
        "--max-gap-days", type=int, default=SUPPRESS, help="event dates further apart never join"
    )
    p.add_argument(
        "--max-per-doc", type=int, default=SUPPRESS, help="most claims per document in a cluster"
    )
    p.add_argument("--captions", action="store_true", default=SUPPRESS, help="use captions too")


def _translate_options(p: argparse.ArgumentParser) -> None:
    add = p.add_argument
    add(
        "--model",
        action="append",
        default=SUPPRESS,
        metavar="LANG=HUB_ID_OR_FOLDER",
        help="model for a language (repeatable), e.g. vi=models/opus-mt-vi-en",
    )
    add("--models-dir", type=Path, default=SUPPRESS, help="registry and snapshots (models/)")
    add(
        "--roles",
        type=lambda v: tuple(v.split(",")),
        default=SUPPRESS,
        help="segment roles to translate (default title,body,caption)",
    )
    add("--device", choices=DEVICES, default=SUPPRESS, help="default auto")
    add("--beam-size", type=int, default=SUPPRESS, help="beams (default: the model's; OPUS-MT: 6)")
    add("--max-new-tokens", type=int, default=SUPPRESS, help="longest output (default: model's)")
    add("--no-repeat-ngram-size", type=int, default=SUPPRESS, help="default 6 (0 = off)")
    add("--repetition-penalty", type=float, default=SUPPRESS, help="default 1.0 (off)")
    add("--batch-size", type=int, default=SUPPRESS, help="segments per batch (default 32)")
    add("--batch-tokens", type=int, default=SUPPRESS, help="padded tokens per batch (4096)")
    add("--chunk-size", type=int, default=SUPPRESS, help="segments per chunk (default 2000)")
    add("--max-input-tokens", type=int, default=SUPPRESS, help="split longer segments")
    add("--cache", type=Path, default=SUPPRESS, help="SQLite cache (default OUT/cache.sqlite)")
    add(
        "--backend",
        choices=BACKENDS,
        default=SUPPRESS,
        help="engine: torch, ct2 (CTranslate2), auto (ct2 where converted; default)",
    )
    add("--quantization", choices=QUANTIZATIONS, default=SUPPRESS, help="ct2 model (int8)")
    suit = " (0: suit the machine)"
    add("--intra-threads", type=int, default=SUPPRESS, help="ct2 threads per batch" + suit)
    add("--inter-threads", type=int, default=SUPPRESS, help="ct2 batches in parallel" + suit)
    add("--min-new-tokens", type=int, default=SUPPRESS, help="shortest output (default 0)")
    _lines_option(p)
    add(
        "--engine",
        dest="executor",
        choices=EXECUTORS,
        default=SUPPRESS,
        help="where translation runs: this process (local, default) or a Ray cluster",
    )
    add(
        "--ray-address",
        default=SUPPRESS,
        metavar="ADDR",
        help="Ray cluster: auto (the running one) or HOST:PORT (default: start a local Ray)",
    )
    add("--ray-actors", type=int, default=SUPPRESS, help="actors per model (0: fit the cluster)")
    add("--ray-cpus-per-actor", type=float, default=SUPPRESS, help="CPUs per actor (default 1)")
    add("--ray-gpus-per-actor", type=float, default=SUPPRESS, help="GPUs per actor (default 0)")


# Stage name -> function adding that stage's own flags (shared by its subcommand and `run`).
STAGE_OPTIONS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "ingest": _ingest_options,
    "detect": _detect_options,
    "segment": _segment_options,
    "translate": _translate_options,
    "align": _align_options,
    "export": _export_options,
    "report": _report_options,
}

STAGE_HELP = {
    "ingest": "read, decode and clean articles into documents.jsonl",
    "detect": "detect the language of documents and paragraphs",
    "segment": "split documents into sentences: segments.jsonl",
    "translate": "translate segments to English: translations.jsonl",
    "align": "cluster claims about the same event: claims.jsonl, alignments.jsonl",
    "export": "write the parallel corpus as jsonl, tsv, moses or tmx into export/",
    "report": "write report.html, one self-contained page of the whole run",
}


_MODELS_DIR_HELP = "models folder (default: $PARALLAX_MODELS, else models/)"


def models_parsers(sub: Any) -> tuple[argparse.ArgumentParser, ...]:
    """The ``models list|fetch|convert`` parsers (the CLI sets their handlers)."""
    p = sub.add_parser("models", help="list, fetch or convert the translation models")
    msub = p.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    listing = msub.add_parser("list", help="each language's model and where it is found")
    fetch = msub.add_parser("fetch", help="download model snapshots into the models folder")
    convert = msub.add_parser("convert", help="convert snapshots to CTranslate2 (ct2 backend)")
    for q in (listing, fetch, convert):
        if q is not listing:
            q.add_argument("langs", nargs="*", metavar="LANG", help="languages (default all)")
        q.add_argument("--models-dir", type=Path, help=_MODELS_DIR_HELP)
        q.add_argument("--model", action="append", default=[], metavar="LANG=HUB_ID_OR_FOLDER")
        verbosity(q)
    convert.add_argument("--quantization", choices=QUANTIZATIONS, default="int8")
    convert.add_argument("--overwrite", action="store_true", help="convert again if present")
    return listing, fetch, convert


def evaluate_options(p: argparse.ArgumentParser) -> None:
    """The flags of ``parallax evaluate`` (not a stage of ``run``: no config table)."""
    from pipeline.corpus.metrics import METRICS, TOKENIZERS

    p.add_argument(
        "--ref",
        type=Path,
        action="append",
        default=[],
        help="reference: text, JSONL or TSV (repeat for several references)",
    )
    p.add_argument(
        "--hyp",
        type=Path,
        action="append",
        default=[],
        help="hypothesis (repeatable; default the run's translations.txt or .jsonl); "
        "the first is the baseline",
    )
    p.add_argument("--src", type=Path, help="the source text, shown beside each line")
    p.add_argument("--names", type=comma_list, help="system names, comma separated")
    p.add_argument("--out", type=Path, default=Path("outputs"), help="where evaluation.json goes")
    p.add_argument(
        "--bootstrap", type=int, default=1000, help="paired bootstrap resamples (0: no test)"
    )
    verbosity(p)
    p.add_argument("--tokenize", "-tok", choices=TOKENIZERS, help="BLEU tokenizer (default 13a)")
    p.add_argument(
        "--metrics",
        type=comma_list,
        default=list(METRICS),
        help="comma list of bleu, chrf, ter (default all)",
    )
    p.add_argument("--json", action="store_true", help="print the scores as JSON on stdout")
    p.add_argument(
        "--judgments", type=Path, help="summarize a reviewer's judgments file (JSONL or CSV)"
    )
