"""Which engine runs a model: ``torch`` (transformers), ``ct2`` (CTranslate2) or ``auto``.

``auto`` picks ``ct2`` for a model when the ``ctranslate2`` package is installed
and ``parallax models convert`` has made its converted copy
(``models/<name>-ct2-<quantization>/``), and ``torch`` otherwise. A converted
copy made from another revision of the snapshot is refused, never used.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import ConfigError
from pipeline.mt.ct2_convert import converted_path, ct2_installed
from pipeline.mt.marian_translator import MarianTranslator
from pipeline.mt.registry import ResolvedModel
from pipeline.mt.translator import GenerationSettings, Translator, TranslatorFactory

if TYPE_CHECKING:
    from pipeline.mt.ct2_translator import Ct2Options

__all__ = ["BACKENDS", "backend_factory", "choose_backend"]

log = logging.getLogger(__name__)

BACKENDS = ("auto", "torch", "ct2")


def choose_backend(backend: str, model: ResolvedModel, models_dir: Path, quantization: str) -> str:
    """Resolve ``auto`` for one model; ``torch`` and ``ct2`` are returned as given.

    Raises:
        ConfigError: an unknown backend or quantization.
    """
    if backend not in BACKENDS:
        raise ConfigError(f"backend {backend!r}: expected one of {', '.join(BACKENDS)}")
    converted = converted_path(models_dir, model.spec.local_name, quantization)
    if backend != "auto":
        return backend
    if not ct2_installed():
        log.info("backend auto: torch for %s (ctranslate2 is not installed)", model.name)
        return "torch"
    if not converted.is_dir():
        log.info("backend auto: torch for %s (no converted model %s)", model.name, converted)
        return "torch"
    log.info("backend auto: ct2 for %s (%s)", model.name, converted)
    return "ct2"


def backend_factory(
    backend: str, models_dir: Path, options: Ct2Options | None = None
) -> TranslatorFactory:
    """A translator factory for the translate stage that runs the chosen backend.

    Args:
        backend: ``auto``, ``torch`` or ``ct2``.
        models_dir: where converted models are looked for.
        options: quantization, threads and batching of the ct2 backend.
    """
    from pipeline.mt.ct2_translator import Ct2Options

    ct2 = options or Ct2Options()

    def factory(model: ResolvedModel, settings: GenerationSettings) -> Translator:
        chosen = choose_backend(backend, model, models_dir, ct2.quantization)
        if chosen == "torch":
            return MarianTranslator(model, settings)
        from pipeline.mt.ct2_translator import load_ct2_translator

        converted = converted_path(models_dir, model.spec.local_name, ct2.quantization)
        return load_ct2_translator(model, settings, ct2, converted)

    return factory
