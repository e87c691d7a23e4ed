"""Translator factories for the Ray engine's tests, shipped to actors by reference.

Actors import this module (``tests`` must be on their ``PYTHONPATH``), so the
factories are module-level classes that pickle by name.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from pipeline.mt.marian_translator import MarianTranslator
from pipeline.mt.registry import ResolvedModel
from pipeline.mt.translator import GenerationSettings


class _Dying(MarianTranslator):
    marker: Path

    def translate_batch(self, texts: list[str]) -> list[str]:
        if not self.marker.exists():  # once per test: the restarted actor finds the marker
            self.marker.write_text(str(os.getpid()), encoding="utf-8")
            os.kill(os.getpid(), signal.SIGKILL)
        return super().translate_batch(texts)


class KillOnce:
    """Builds Marian translators; the first batch any of them gets SIGKILLs its process."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __call__(self, model: ResolvedModel, settings: GenerationSettings) -> MarianTranslator:
        translator = _Dying(model, settings)
        translator.marker = self.marker
        return translator


class _Logging(MarianTranslator):
    log: Path

    def translate_batch(self, texts: list[str]) -> list[str]:
        with self.log.open("a", encoding="utf-8") as handle:
            handle.writelines(json.dumps([self.name, t]) + "\n" for t in texts)
        return super().translate_batch(texts)


class LogTexts:
    """Builds Marian translators that append ``[model, text]`` of every text they translate."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def __call__(self, model: ResolvedModel, settings: GenerationSettings) -> MarianTranslator:
        translator = _Logging(model, settings)
        translator.log = self.log
        return translator
