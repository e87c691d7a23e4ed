"""The translate stage: ``segments.jsonl`` -> ``translations.jsonl``.

Only segments whose role is selected (title, body, caption by default) are
translated and written; the others are left out of ``translations.jsonl``, so
later stages join on ``seg_id``. English passes through the identity
translator. A segment whose language is ``und`` (undetermined) or has no model
is written ``untranslated`` with the reason: guessing a model from the document
would put wrong-language text through a model silently. A configured model that
cannot be found leaves its language's segments ``untranslated``, the others are
still translated, and the stage reports the failure (exit status 1).

Segments stream through in chunks; in each chunk identical sources are
translated once, long ones are split to fit the model, batches are planned by
length, and every batch is stored in the SQLite cache as soon as it is done, so
a killed run resumes without retranslating (and the output, written through
:class:`~pipeline.io.ResumableJsonlWriter`, neither loses nor repeats a line).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import ModelError
from pipeline.backends import BACKENDS
from pipeline.batching import translate_all, unique
from pipeline.cache import TranslationCache, cache_key
from pipeline.ct2 import QUANTIZATIONS
from pipeline.io import ResumableJsonlWriter, file_sha256, read_records, remove_file
from pipeline.manifest import Manifest
from pipeline.models import IDENTITY, ModelSpec, base_lang, model_specs, resolve
from pipeline.quality import assess
from pipeline.records import ROLES, Segment, Translation
from pipeline.splitting import join_pieces, split_to_fit
from pipeline.stages import StageConfig, StageResult, stage_input, up_to_date
from pipeline.translators import (
    GenerationSettings,
    IdentityTranslator,
    Translator,
    TranslatorFactory,
    marian_factory,
    settings_of,
)

__all__ = ["Config", "Translating", "run", "translate_segments"]

log = logging.getLogger(__name__)
STAGE = "translate"
OUTPUT = "translations.jsonl"


@dataclass(frozen=True)
class Config(StageConfig):
    """Settings of the translate stage (zeros take the model's generation config).

    Attributes:
        model: ``LANG=HUB_ID_OR_FOLDER`` overrides of the registry.
        models_dir: the registry and local snapshots.
        roles: segment roles to translate.
        device: ``auto``, ``cpu`` or ``cuda``.
        beam_size: beams (0: the model's, 4 for OPUS-MT).
        max_new_tokens: longest output (0: the model's max length, 512 for OPUS-MT).
        no_repeat_ngram_size: never repeat a token n-gram this long (0: off).
        repetition_penalty: >1 discourages repeated tokens (1.0: off).
        batch_size: most segments per batch.
        batch_tokens: most padded input tokens per batch.
        chunk_size: segments read, translated and written at a time.
        max_input_tokens: split segments longer than this (0: the model's limit).
        cache: the SQLite cache (default ``<out>/cache.sqlite``).
        backend: ``torch``, ``ct2`` (CTranslate2) or ``auto`` (ct2 where a converted
            model exists; see :mod:`pipeline.backends`).
        quantization: which converted model the ct2 backend loads.
        intra_threads: ct2 threads per batch (0: one per core).
        inter_threads: ct2 batches run in parallel.
        min_new_tokens: shortest output (0: no minimum).
    """

    model: tuple[str, ...] = ()
    models_dir: Path = Path("models")
    roles: tuple[str, ...] = ("title", "body", "caption")
    device: str = "auto"
    beam_size: int = 0
    max_new_tokens: int = 0
    no_repeat_ngram_size: int = 6
    repetition_penalty: float = 1.0
    batch_size: int = 32
    batch_tokens: int = 4096
    chunk_size: int = 2000
    max_input_tokens: int = 0
    cache: Path | None = None
    backend: str = "auto"
    quantization: str = "int8"
    intra_threads: int = 0
    inter_threads: int = 1
    min_new_tokens: int = 0

    def __post_init__(self) -> None:
        unknown = sorted(set(self.roles) - set(ROLES))
        if unknown:
            raise ValueError(f"roles: unknown role {unknown[0]!r} (roles: {', '.join(ROLES)})")
        if self.backend not in BACKENDS:
            raise ValueError(f"backend {self.backend!r}: expected one of {', '.join(BACKENDS)}")
        if self.quantization not in QUANTIZATIONS:
            raise ValueError(
                f"quantization {self.quantization!r}: expected one of {', '.join(QUANTIZATIONS)}"
            )
        for name in ("batch_size", "batch_tokens", "chunk_size", "inter_threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")

    def generation(self) -> GenerationSettings:
        """The generation settings handed to translators."""
        return GenerationSettings(
            self.beam_size,
            self.max_new_tokens,
            self.no_repeat_ngram_size,
            self.repetition_penalty,
            self.device,
            self.min_new_tokens,
        )

    def factory(self) -> TranslatorFactory:
        """The translator factory of the configured backend."""
        from pipeline.backends import backend_factory
        from pipeline.ct2_translator import Ct2Options

        options = Ct2Options(self.quantization, self.intra_threads, self.inter_threads)
        return backend_factory(self.backend, self.models_dir, options)


def _key(obj: dict[str, Any]) -> str:
    return f"{obj['doc_id']}\t{obj['seg_id']}"


class Translating:
    """Translates chunks of segments; loads each language's model once, on first use.

    Args:
        config: the stage config.
        cache: an open translation cache.
        factory: builds a translator for a resolved model (the backend).
    """

    def __init__(
        self, config: Config, cache: TranslationCache, factory: TranslatorFactory = marian_factory
    ) -> None:
        self.config = config
        self.cache = cache
        self.factory = factory
        self.specs = model_specs(config.models_dir, config.model)
        self._translators: dict[str, Translator | str] = {}
        self._loaded: dict[str, Translator] = {}  # model name -> translator, loaded once
        self.failures: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self.untranslated: dict[str, int] = {}
        self.backends: dict[str, str] = {}  # language -> backend that ran its model

    def _count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def translator(self, lang: str) -> Translator | str:
        """The translator of a language, or the reason there is none."""
        base = base_lang(lang)
        if base not in self._translators:
            spec = self.specs.get(base)
            if base == "und":
                found: Translator | str = "language undetermined ('und'); no model chosen"
            elif spec is None:
                found = (
                    f"no model for language {lang!r} (add one with --model {base}=HUB_ID_OR_FOLDER)"
                )
            elif spec.model_id == IDENTITY:
                found = IdentityTranslator()
            else:
                found = self._load(spec)
            self._translators[base] = found
        return self._translators[base]

    def _load(self, spec: ModelSpec) -> Translator | str:
        try:
            model = resolve(spec, self.config.models_dir)
            if model.name not in self._loaded:
                self._loaded[model.name] = self.factory(model, self.config.generation())
            self.backends[spec.lang] = self._loaded[model.name].backend
            return self._loaded[model.name]
        except ModelError as exc:
            return self._fail(spec.lang, str(exc))

    def _fail(self, lang: str, message: str) -> str:
        log.error("%s", message)
        self.failures.setdefault(lang, message)
        self._translators[lang] = message
        return message

    def translate(self, segments: Sequence[Segment]) -> list[Translation]:
        """Translate one chunk of selected segments; return records in input order."""
        groups: dict[str, list[int]] = {}
        for i, seg in enumerate(segments):
            groups.setdefault(base_lang(seg.lang), []).append(i)
        records: list[Translation | None] = [None] * len(segments)
        for lang, positions in groups.items():
            chunk = [segments[i] for i in positions]
            for i, record in zip(positions, self._translate_lang(lang, chunk), strict=True):
                records[i] = record
        return [r for r in records if r is not None]

    def _translate_lang(self, lang: str, segments: list[Segment]) -> list[Translation]:
        translator = self.translator(lang)
        if isinstance(translator, IdentityTranslator):
            self._count("identity", len(segments))
            return [_record(s, s.text, IDENTITY, "identity") for s in segments]
        if isinstance(translator, str):
            return self._untranslated(segments, translator)
        try:
            outputs = self._run_model(translator, [s.text for s in segments])
        except ModelError as exc:
            return self._untranslated(segments, self._fail(lang, str(exc)))
        self._count("translated", len(segments))
        return [
            _record(seg, text, translator.name, "translated", pieces)
            for seg, (text, pieces) in zip(segments, outputs, strict=True)
        ]

    def _untranslated(self, segments: list[Segment], reason: str) -> list[Translation]:
        self._count("untranslated", len(segments))
        lang = base_lang(segments[0].lang)
        self.untranslated[lang] = self.untranslated.get(lang, 0) + len(segments)
        spec = self.specs.get(lang)
        model = f"{spec.model_id}@{spec.revision}" if spec else "none"
        return [_record(s, None, model, "untranslated", reason=reason) for s in segments]

    def _run_model(self, translator: Translator, texts: list[str]) -> list[tuple[str, int]]:
        """Translate texts through cache, splitting and batching: (translation, pieces) each."""
        distinct, where = unique(texts)
        limit = min(self.config.max_input_tokens or translator.max_tokens, translator.max_tokens)
        lengths = dict(zip(distinct, translator.count_tokens(distinct), strict=True))
        split = [
            [t] if lengths[t] <= limit else split_to_fit(t, translator.count_tokens, limit)
            for t in distinct
        ]
        self._count("split", sum(len(p) > 1 for p in split))
        pieces, _ = unique([p for parts in split for p in parts])
        done = self._cached_or_translate(translator, pieces, lengths)
        joined = [(join_pieces([done[p] for p in parts]), len(parts)) for parts in split]
        return [joined[i] for i in where]

    def _cached_or_translate(
        self, translator: Translator, pieces: list[str], lengths: dict[str, int]
    ) -> dict[str, str]:
        settings = settings_of(translator)
        keys = {p: cache_key(translator.name, settings, p) for p in pieces}
        hits = self.cache.get_many(list(keys.values()))
        self._count("cached", len(hits))
        todo = [p for p in pieces if keys[p] not in hits]
        missing = [p for p in todo if p not in lengths]
        lengths.update(zip(missing, translator.count_tokens(missing), strict=True))

        def store(batch: list[int], out: list[str]) -> None:
            self.cache.put_many(
                translator.name, ((keys[todo[i]], o) for i, o in zip(batch, out, strict=True))
            )
            self._count("model_texts", len(batch))

        results = translate_all(
            todo,
            [lengths[p] for p in todo],
            translator.translate_batch,
            self.config.batch_size,
            self.config.batch_tokens,
            on_batch=store,
        )
        done = {p: hits[keys[p]] for p in pieces if keys[p] in hits}
        done.update(zip(todo, results, strict=True))
        return done


def _record(
    seg: Segment,
    text: str | None,
    model: str,
    status: str,
    pieces: int = 1,
    reason: str | None = None,
) -> Translation:
    flags: tuple[str, ...] = ()
    quality: dict[str, float] = {}
    if status == "translated" and text is not None:
        flags, quality = assess(seg.text, text)
        if pieces > 1:
            flags = ("split", *flags)
    return Translation(
        doc_id=seg.doc_id,
        seg_id=seg.seg_id,
        index=seg.index,
        role=seg.role,
        src_lang=seg.lang,
        tgt_lang="en",
        source=seg.text,
        translation=text,
        model=model,
        flags=flags,
        quality=quality,
        status=status,
        reason=reason,
        pieces=pieces,
    )


def _chunks(items: Iterable[Segment], size: int) -> Iterator[list[Segment]]:
    chunk: list[Segment] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def translate_segments(
    segments: Iterable[Segment], engine: Translating, skip: set[str] | None = None
) -> Iterator[Translation]:
    """Stream translations of the selected segments, chunk by chunk, in input order.

    Args:
        segments: the segments (any iterable; read lazily).
        engine: the translator set, cache and settings.
        skip: ``doc_id<TAB>seg_id`` keys already done (resumed runs).
    """
    roles = set(engine.config.roles)
    skip = skip if skip is not None else set()
    selected = (s for s in segments if s.role in roles and f"{s.doc_id}\t{s.seg_id}" not in skip)
    for chunk in _chunks(selected, engine.config.chunk_size):
        yield from engine.translate(chunk)


def run(config: Config, factory: TranslatorFactory | None = None) -> StageResult:
    """Run the translate stage on ``<out>/segments.jsonl`` (or ``--input``).

    Args:
        config: the stage config.
        factory: builds a translator for a model (default: the configured backend's).
    """
    factory = factory or config.factory()
    path = stage_input(config, "segments.jsonl", "segment")
    inputs = {str(path): file_sha256(path)}
    output = config.out / OUTPUT
    failed_before = Manifest(config.out).stage(STAGE).get("failures")
    if not failed_before and up_to_date(config, STAGE, [output], inputs):
        return StageResult(
            STAGE, (output,), {}, reused=True, inputs=inputs, settings=config.settings()
        )
    writer = ResumableJsonlWriter(output, _key)
    if config.overwrite:
        remove_file(writer.partial)
    from tqdm import tqdm

    with TranslationCache(config.cache or config.out / "cache.sqlite") as cache, writer:
        engine = Translating(config, cache, factory)
        resumed = len(writer.done)
        with tqdm(desc="translate", unit="seg", disable=None) as bar:
            for record in translate_segments(read_records(path, Segment), engine, writer.done):
                if f"{record.doc_id}\t{record.seg_id}" not in writer.done:  # duplicate input
                    writer.write(record)
                bar.update()
        writer.commit()
    counts = {"resumed": resumed, **engine.counts}
    failures = tuple(
        f"{lang}: {message} ({engine.untranslated.get(lang, 0)} segments untranslated)"
        for lang, message in engine.failures.items()
    )
    settings = {**config.settings(), "backends": engine.backends}
    return StageResult(STAGE, (output,), counts, failures, inputs=inputs, settings=settings)
