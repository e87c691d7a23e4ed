"""Translating chunks of segments: model choice per language, cache, splitting, batching.

:class:`Translating` is the per-chunk work of the translate stage
(:mod:`pipeline.translate` streams segments through it). Each language's
translator is built once, on first use, from the snapshot's files; its weights
load only when the cache leaves something to translate. A model that cannot be
found or loaded is remembered as the reason its language's segments stay
untranslated.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import ModelError, threads
from pipeline.mt.cache import TranslationCache, cache_key, model_identity
from pipeline.mt.marian_translator import marian_factory
from pipeline.mt.quality import assess
from pipeline.mt.registry import IDENTITY, ModelSpec, base_lang, model_specs, resolve
from pipeline.mt.texts import Batching, translate_texts
from pipeline.mt.translator import (
    GenerationSettings,
    IdentityTranslator,
    Translator,
    TranslatorFactory,
    settings_of,
)
from pipeline.records import Segment, Translation

__all__ = ["CONCURRENT_BACKENDS", "EngineSettings", "Translating", "assessed", "empty_line"]

log = logging.getLogger(__name__)

# Backends whose languages run at once where cores allow. 2 cores, 200 sentences vi + zh, beam
# 4 (bench.ct2_bench --part concurrency): ct2 at once, 1 x 1 thread per model, 1.30x in turn
# at 2 x 1 (less memory); torch at once, 1 thread each, 1.11x but 1.6x the peak memory.
CONCURRENT_BACKENDS: tuple[str, ...] = ("ct2",)


@dataclass(frozen=True)
class EngineSettings:
    """What the engine needs of the translate stage's settings.

    Attributes:
        model: ``LANG=HUB_ID_OR_FOLDER`` overrides of the registry.
        models_dir: the registry and local snapshots.
        generation: the generation settings handed to translators.
        roles: segment roles to translate.
        chunk_size: segments read, translated and written at a time.
        max_input_tokens: split segments longer than this (0: the model's limit).
        batch_size: most segments per batch.
        batch_tokens: most padded input tokens per batch.
    """

    model: tuple[str, ...] = ()
    models_dir: Path = Path("models")
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    roles: tuple[str, ...] = ("title", "body", "caption")
    chunk_size: int = 2000
    max_input_tokens: int = 0
    batch_size: int = 32
    batch_tokens: int = 4096


class Translating:
    """Translates chunks of segments; builds each language's translator once, on first use.

    Args:
        config: the engine's settings.
        cache: an open translation cache.
        factory: builds a translator for a resolved model (the backend).
    """

    def __init__(
        self,
        config: EngineSettings,
        cache: TranslationCache,
        factory: TranslatorFactory = marian_factory,
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
        # Called as model batches finish with the segments they stand for (a fraction of a
        # chunk's segments: texts are deduplicated and split), so progress moves per batch.
        # (From the pool's threads when languages run at once: Progress.advance locks.)
        self.on_progress: Callable[[float], None] | None = None
        self.models: dict[str, dict[str, Any]] = {}  # language -> model, backend, settings used
        # Languages translated at once (None: as the cores and CONCURRENT_BACKENDS allow).
        self.languages_at_once: int | None = None
        self._lock = threading.RLock()  # the bookkeeping above, from the pool's threads

    def _count(self, name: str, n: int = 1) -> None:
        with self._lock:
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
                self._loaded[model.name] = self.factory(model, self.config.generation)
            self.backends[spec.lang] = self._loaded[model.name].backend
            return self._loaded[model.name]
        except ModelError as exc:
            return self._fail(spec.lang, str(exc))

    def _fail(self, lang: str, message: str) -> str:
        log.error("%s", message)
        with self._lock:
            self.failures.setdefault(lang, message)
            self._translators[lang] = message
        return message

    def translate(self, segments: Sequence[Segment]) -> list[Translation]:
        """Translate one chunk of selected segments; return records in input order."""
        groups: dict[str, list[int]] = {}
        for i, seg in enumerate(segments):
            groups.setdefault(base_lang(seg.lang), []).append(i)
        chunks = {lang: [segments[i] for i in positions] for lang, positions in groups.items()}
        workers = self._workers(chunks)
        if workers > 1:
            done = self._translate_at_once(chunks, workers)
        else:
            done = {lang: self._translate_lang(lang, chunk) for lang, chunk in chunks.items()}
        records: list[Translation | None] = [None] * len(segments)
        for lang, positions in groups.items():
            for i, record in zip(positions, done[lang], strict=True):
                records[i] = record
        return [r for r in records if r is not None]

    def _workers(self, chunks: dict[str, list[Segment]]) -> int:
        """Languages to translate at once (1: in turn): those with a model of their own."""
        cores = threads.current().threads
        if len(chunks) < 2 or cores < 2 or self.languages_at_once == 1:
            return 1
        specs = {self.specs.get(lang) for lang in chunks if lang != "und"}
        models = {(s.model_id, s.folder) for s in specs if s is not None and s.model_id != IDENTITY}
        wanted = min(len(models), self.languages_at_once or cores, cores)
        if wanted < 2:
            return 1
        with threads.shared_by(wanted):  # a model loaded now sizes its pool to its share
            found = [self.translator(lang) for lang in chunks]
        running = [t for t in found if not isinstance(t, str | IdentityTranslator)]
        if self.languages_at_once is None and not all(
            t.backend.startswith(CONCURRENT_BACKENDS) for t in running
        ):
            return 1
        return min(len({t.name for t in running}), wanted)

    def _translate_at_once(
        self, chunks: dict[str, list[Segment]], workers: int
    ) -> dict[str, list[Translation]]:
        """Each language's segments in a pool of ``workers`` threads sharing the cores."""
        share = max(1, threads.current().threads // workers)

        def work(lang: str, chunk: list[Segment]) -> list[Translation]:
            with threads.torch_threads_here(share):  # OpenMP counts threads per thread
                return self._translate_lang(lang, chunk)

        with ThreadPoolExecutor(workers, thread_name_prefix="translate") as pool:
            futures = {lang: pool.submit(work, lang, chunk) for lang, chunk in chunks.items()}
            return {lang: future.result() for lang, future in futures.items()}

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
        self._count(f"translated_by_{translator.backend}", len(segments))
        with self._lock:
            if lang not in self.models:
                self.models[lang] = {
                    "model": translator.name,
                    "backend": translator.backend,
                    "generation": dict(translator.settings()),
                }
        return [
            _record(seg, text, translator.name, "translated", pieces)
            for seg, (text, pieces) in zip(segments, outputs, strict=True)
        ]

    def _untranslated(self, segments: list[Segment], reason: str) -> list[Translation]:
        self._count("untranslated", len(segments))
        lang = base_lang(segments[0].lang)
        with self._lock:
            self.untranslated[lang] = self.untranslated.get(lang, 0) + len(segments)
        spec = self.specs.get(lang)
        model = f"{spec.model_id}@{spec.revision}" if spec else "none"
        return [_record(s, None, model, "untranslated", reason=reason) for s in segments]

    def _run_model(self, translator: Translator, texts: list[str]) -> list[tuple[str, int]]:
        """Translate texts through cache, splitting and batching: (translation, pieces) each."""
        settings = settings_of(translator)
        model = model_identity(translator.name, translator.revision)
        keys: dict[str, str] = {}
        todo = 0  # pieces the model is asked for (known after the cache lookup)

        def lookup(pieces: list[str]) -> dict[str, str]:
            nonlocal todo
            keys.update((p, cache_key(model, settings, p)) for p in pieces)
            hits = self.cache.get_many([keys[p] for p in pieces])
            todo = sum(keys[p] not in hits for p in pieces)
            return {p: hits[keys[p]] for p in pieces if keys[p] in hits}

        def store(pieces: list[str], out: list[str]) -> None:
            self.cache.put_many(
                translator.name, ((keys[p], o) for p, o in zip(pieces, out, strict=True))
            )
            if self.on_progress is not None and todo:
                # a batch stands for a share of the chunk's segments (texts are deduplicated
                # and split), so progress moves per batch
                self.on_progress(len(texts) * len(pieces) / todo)

        batching = Batching(
            self.config.batch_size, self.config.batch_tokens, self.config.max_input_tokens
        )
        done = translate_texts(translator, texts, batching, lookup, store, self._count)
        return [(text, len(parts)) for text, parts in done]


def assessed(source: str, text: str, pieces: int) -> tuple[tuple[str, ...], dict[str, float]]:
    """Quality flags and their numbers of one translation (``split`` when it had pieces)."""
    flags, quality = assess(source, text)
    return (("split", *flags) if pieces > 1 else flags), quality


def _record(
    seg: Segment,
    text: str | None,
    model: str,
    status: str,
    pieces: int = 1,
    reason: str | None = None,
    quality_of: tuple[tuple[str, ...], dict[str, float]] | None = None,
) -> Translation:
    flags: tuple[str, ...] = ()
    quality: dict[str, float] = {}
    if quality_of is not None:
        flags, quality = quality_of
    elif status == "translated" and text is not None:
        flags, quality = assessed(seg.text, text, pieces)
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


def empty_line(seg: Segment) -> Translation:
    """An empty line's translation in line mode: an empty line, never sent to a model."""
    return _record(seg, "", IDENTITY, "identity", reason="empty line")
