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
:class:`~pipeline.io.jsonl.ResumableJsonlWriter`, neither loses nor repeats a line).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.corpus.lines import write_translations_text
from pipeline.io.atomic import remove_file
from pipeline.io.jsonl import ResumableJsonlWriter, read_records
from pipeline.mt.backends import BACKENDS
from pipeline.mt.batching import chunks
from pipeline.mt.cache import TranslationCache
from pipeline.mt.ct2_convert import QUANTIZATIONS
from pipeline.mt.engine import EngineSettings, Translating, empty_line
from pipeline.mt.ray_engine import RayTranslating
from pipeline.mt.translator import GenerationSettings, TranslatorFactory
from pipeline.records import ROLES, Segment, Translation
from pipeline.run.files import CACHE, SEGMENTS, TRANSLATIONS, TRANSLATIONS_TEXT
from pipeline.run.manifest import hash_inputs, reuse
from pipeline.run.progress import Progress
from pipeline.run.stage import StageConfig, StageResult, stage_input

if TYPE_CHECKING:
    from pipeline.mt.ray_pool import RaySettings

__all__ = ["Config", "Translating", "run", "translate_segments"]

log = logging.getLogger(__name__)
STAGE = "translate"
EXECUTORS = ("local", "ray")
# Settings of where the stage runs; both engines write the same records.
RUNS_ON = ("executor", "ray_address", "ray_actors", "ray_cpus_per_actor", "ray_gpus_per_actor")


@dataclass(frozen=True)
class Config(StageConfig):
    """Settings of the translate stage (zeros take the model's generation config).

    Attributes:
        model: ``LANG=HUB_ID_OR_FOLDER`` overrides of the registry.
        models_dir: the registry and local snapshots.
        roles: segment roles to translate.
        device: ``auto``, ``cpu`` or ``cuda``.
        beam_size: beams (0: the model's, 6 for OPUS-MT).
        max_new_tokens: longest output (0: the model's max length, 512 for OPUS-MT).
        no_repeat_ngram_size: never repeat a token n-gram this long (0: off).
        repetition_penalty: >1 discourages repeated tokens (1.0: off).
        batch_size: most segments per batch.
        batch_tokens: most padded input tokens per batch.
        chunk_size: segments read, translated and written at a time.
        max_input_tokens: split segments longer than this (0: the model's limit).
        cache: the SQLite cache (default ``<out>/cache.sqlite``).
        backend: ``torch``, ``ct2`` (CTranslate2) or ``auto`` (ct2 where a converted
            model exists; see :mod:`pipeline.mt.backends`).
        quantization: which converted model the ct2 backend loads.
        intra_threads: ct2 threads per batch (0: suit the machine).
        inter_threads: ct2 batches run in parallel (0: suit the machine).
        min_new_tokens: shortest output (0: no minimum).
        lines: line mode: empty segments stay empty (``identity``, never sent to a
            model), and ``translations.txt`` gets one line per segment, in order.
        executor: ``local`` (this process) or ``ray`` (a Ray cluster; ``--engine``).
        ray_address: the Ray cluster (``""``: start a local Ray; ``auto``: the running one).
        ray_actors: actors per model (0: as many as the cluster's CPUs allow).
        ray_cpus_per_actor: CPUs each actor reserves (its threads follow).
        ray_gpus_per_actor: GPUs each actor reserves.
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
    inter_threads: int = 0
    min_new_tokens: int = 0
    lines: bool = False
    executor: str = "local"
    ray_address: str = ""
    ray_actors: int = 0
    ray_cpus_per_actor: float = 1.0
    ray_gpus_per_actor: float = 0.0

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
        for name in ("batch_size", "batch_tokens", "chunk_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("intra_threads", "inter_threads"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 (suit the machine) or more")
        if self.executor not in EXECUTORS:
            raise ValueError(f"engine {self.executor!r}: expected one of {', '.join(EXECUTORS)}")
        if self.ray_actors < 0 or self.ray_cpus_per_actor <= 0 or self.ray_gpus_per_actor < 0:
            raise ValueError(
                "ray_actors must be 0 (fit the cluster) or more, ray_cpus_per_actor above 0 "
                "and ray_gpus_per_actor 0 or more"
            )

    def settings(self) -> dict[str, Any]:
        """The settings that shape the output: where it runs does not (same records)."""
        return {k: v for k, v in super().settings().items() if k not in RUNS_ON}

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

    def engine(self) -> EngineSettings:
        """The settings of the translation engine."""
        return EngineSettings(
            self.model,
            self.models_dir,
            self.generation(),
            self.roles,
            self.chunk_size,
            self.max_input_tokens,
            self.batch_size,
            self.batch_tokens,
        )

    def factory(self) -> TranslatorFactory:
        """The translator factory of the configured backend."""
        from pipeline.mt.backends import backend_factory
        from pipeline.mt.ct2_translator import Ct2Options

        intra, inter = self.intra_threads, self.inter_threads
        if self.executor == "ray" and not self.ray_gpus_per_actor:
            from pipeline.mt.ray_worker import ct2_threads

            # an actor's share of a node, not the node's cores: Ray does not pin them
            auto_intra, auto_inter = ct2_threads(self.ray_cpus_per_actor)
            intra, inter = intra or auto_intra, inter or auto_inter
        options = Ct2Options(self.quantization, intra, inter)
        return backend_factory(self.backend, self.models_dir, options)

    def ray(self) -> RaySettings:
        """Where and how the ray engine runs."""
        from pipeline.mt.ray_pool import RaySettings

        return RaySettings(
            self.ray_address, self.ray_actors, self.ray_cpus_per_actor, self.ray_gpus_per_actor
        )


def _key(obj: dict[str, Any]) -> str:
    return f"{obj['doc_id']}\t{obj['seg_id']}"


def translate_segments(
    segments: Iterable[Segment],
    engine: Translating,
    skip: set[str] | None = None,
    keep_empty: bool = False,
) -> Iterator[Translation]:
    """Stream translations of the selected segments, chunk by chunk, in input order.

    Args:
        segments: the segments (any iterable; read lazily).
        engine: the translator set, cache and settings.
        skip: ``doc_id<TAB>seg_id`` keys already done (resumed runs).
        keep_empty: give an empty (or blank) segment an empty translation without
            asking a model (line mode, where an empty line must stay one).
    """
    roles = set(engine.config.roles)
    skip = skip if skip is not None else set()
    selected = (s for s in segments if s.role in roles and f"{s.doc_id}\t{s.seg_id}" not in skip)
    for chunk in chunks(selected, engine.config.chunk_size):
        if not keep_empty:
            yield from engine.translate(chunk)
            continue
        done = iter(engine.translate([s for s in chunk if s.text.strip()]))
        for seg in chunk:
            yield next(done) if seg.text.strip() else empty_line(seg)


def _count_todo(path: Path, roles: set[str], done: set[str]) -> int:
    """The segments this run will translate (one quick pass, for the progress total)."""
    return sum(
        1
        for s in read_records(path, Segment)
        if s.role in roles and f"{s.doc_id}\t{s.seg_id}" not in done
    )


def run(config: Config, factory: TranslatorFactory | None = None) -> StageResult:
    """Run the translate stage on ``<out>/segments.jsonl`` (or ``--input``).

    Args:
        config: the stage config.
        factory: builds a translator for a model (default: the configured backend's).
    """
    factory = factory or config.factory()
    path = stage_input(config, SEGMENTS, "segment")
    inputs = hash_inputs([path])
    output = config.out / TRANSLATIONS
    outputs = [output, config.out / TRANSLATIONS_TEXT] if config.lines else [output]
    if (reused := reuse(config, STAGE, outputs, inputs, retry_failed=True)) is not None:
        return reused
    # resume only a partial of the same inputs and settings
    writer = ResumableJsonlWriter(output, _key, {"inputs": inputs, "settings": config.settings()})
    if config.overwrite:
        remove_file(writer.partial)
    with (
        TranslationCache(config.cache or config.out / CACHE) as cache,
        writer,
        _engine(config, cache, factory) as engine,
    ):
        resumed = len(writer.done)
        total = _count_todo(path, set(config.roles), writer.done)
        with Progress(STAGE, total, "seg") as progress:
            engine.on_progress = progress.advance
            segments = read_records(path, Segment)
            records = translate_segments(segments, engine, writer.done, config.lines)
            for finished, record in enumerate(records, 1):
                if f"{record.doc_id}\t{record.seg_id}" not in writer.done:  # duplicate input
                    writer.write(record)
                progress.update_to(finished)
        writer.commit()
        runtime = engine.runtime() if isinstance(engine, RayTranslating) else {"engine": "local"}
    counts = {"resumed": resumed, **engine.counts}
    if config.lines:
        counts["lines"] = write_translations_text(path, output, outputs[1])
    failures = tuple(
        f"{lang}: {message} ({engine.untranslated.get(lang, 0)} segments untranslated)"
        for lang, message in engine.failures.items()
    )
    return StageResult(
        STAGE,
        tuple(outputs),
        counts,
        failures,
        inputs=inputs,
        settings=config.settings(),
        models=engine.models,
        runtime=runtime,
    )


@contextmanager
def _engine(
    config: Config, cache: TranslationCache, factory: TranslatorFactory
) -> Iterator[Translating]:
    """The configured engine: this process, or a Ray cluster (started or joined, then left)."""
    if config.executor == "local":
        yield Translating(config.engine(), cache, factory)
        return
    with RayTranslating(config.engine(), cache, factory, config.ray()) as engine:
        yield engine
