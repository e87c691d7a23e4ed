"""The CTranslate2 backend: convert a MarianMT snapshot once, translate fast with it.

``convert_snapshot`` turns the Hugging Face snapshot the torch backend loads
into a CTranslate2 model (``models/<name>-ct2-<quantization>/``) and records
the snapshot's revision and the conversion settings in a small JSON file inside
it. ``load_ct2_translator`` refuses a converted model whose recorded revision
differs from the snapshot's, and returns a :class:`Ct2Translator` that
tokenizes with the same MarianTokenizer as the torch backend, hands all
sentences of a batch to CTranslate2 in one call, and decodes the tokens back.

``ctranslate2`` is the optional extra ``parallax-mt[fast]``; it is imported
only when a conversion or a translation runs.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import ConfigError, ModelError
from pipeline.io import atomic_dir, atomic_write_json, read_json

__all__ = [
    "CONVERSION_FILE",
    "QUANTIZATIONS",
    "Ct2Options",
    "Ct2Translator",
    "check_conversion",
    "convert_snapshot",
    "converted_path",
    "ct2_installed",
    "decoding_options",
    "load_ct2_translator",
]

log = logging.getLogger(__name__)

QUANTIZATIONS = ("int8", "int8_float16", "float16", "float32")
# Written inside the converted model's folder, beside CTranslate2's own files.
CONVERSION_FILE = "parallax-conversion.json"


def ct2_installed() -> bool:
    """True when the optional ``ctranslate2`` package can be imported."""
    return importlib.util.find_spec("ctranslate2") is not None


def converted_path(snapshot: Path, quantization: str) -> Path:
    """Where the converted model of a snapshot lives: a sibling folder.

    ``models/opus-mt-vi-en`` with int8 -> ``models/opus-mt-vi-en-ct2-int8``.
    """
    _check_quantization(quantization)
    return snapshot.with_name(f"{snapshot.name}-ct2-{quantization}")


def _check_quantization(quantization: str) -> None:
    if quantization not in QUANTIZATIONS:
        raise ConfigError(f"quantization {quantization!r} is not one of {', '.join(QUANTIZATIONS)}")


def _require_ct2() -> Any:
    try:
        import ctranslate2
    except ImportError as exc:
        raise ModelError(
            "the ct2 backend needs the ctranslate2 package: pip install 'parallax-mt[fast]'"
        ) from exc
    return ctranslate2


def convert_snapshot(
    snapshot: Path, revision: str, quantization: str, target: Path | None = None
) -> Path:
    """Convert a MarianMT snapshot into a CTranslate2 model, once.

    The model is written into a temporary folder beside the target and renamed
    into place only when complete, with :data:`CONVERSION_FILE` recording the
    source snapshot, its revision and the settings.

    Args:
        snapshot: the Hugging Face snapshot folder (``save_pretrained`` layout).
        revision: the snapshot's revision, as the torch backend records it.
        quantization: one of :data:`QUANTIZATIONS`.
        target: output folder; default :func:`converted_path`.

    Returns:
        the converted model's folder.

    Raises:
        ModelError: ctranslate2 missing, or the snapshot cannot be converted.
    """
    target = target or converted_path(snapshot, quantization)
    _check_quantization(quantization)
    ctranslate2 = _require_ct2()
    from ctranslate2.converters import TransformersConverter

    with atomic_dir(target) as work:
        try:
            TransformersConverter(str(snapshot)).convert(
                str(work), quantization=quantization, force=True
            )
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{snapshot}: cannot convert to CTranslate2 ({exc})") from exc
        atomic_write_json(
            work / CONVERSION_FILE,
            {
                "source": str(snapshot),
                "revision": revision,
                "quantization": quantization,
                "ctranslate2": ctranslate2.__version__,
            },
        )
    log.info("converted %s (%s) to %s", snapshot, quantization, target)
    return target


def check_conversion(converted: Path, revision: str) -> dict[str, Any]:
    """Read a converted model's record and check it was made from ``revision``.

    Returns:
        the record (source, revision, quantization, ctranslate2 version).

    Raises:
        ModelError: no record, or a different source revision.
    """
    record_path = converted / CONVERSION_FILE
    if not record_path.is_file():
        raise ModelError(f"{converted}: not a converted model (no {CONVERSION_FILE})")
    record = read_json(record_path)
    if not isinstance(record, dict) or record.get("revision") != revision:
        found = record.get("revision") if isinstance(record, dict) else None
        raise ModelError(
            f"{converted}: converted from revision {found!r}, but the snapshot is at "
            f"{revision!r}; run `parallax models convert` again"
        )
    return record


@dataclass(frozen=True)
class Ct2Options:
    """How CTranslate2 runs.

    Attributes:
        device: ``cpu``, ``cuda`` or ``auto`` (cuda when a GPU is visible).
        intra_threads: threads per translation; 0 means one per available core.
        inter_threads: translations run in parallel.
        max_batch_size: largest batch handed to the model, in ``batch_type`` units.
        batch_type: ``tokens`` or ``examples``.
    """

    device: str = "auto"
    intra_threads: int = 0
    inter_threads: int = 1
    max_batch_size: int = 2048
    batch_type: str = "tokens"


def decoding_options(
    beam_size: int,
    max_new_tokens: int,
    min_new_tokens: int = 0,
    repetition_penalty: float = 1.0,
    no_repeat_ngram_size: int = 0,
    forced_eos: bool = True,
) -> dict[str, Any]:
    """Map Hugging Face generation settings to ``translate_batch`` keywords.

    Hugging Face counts the end token in ``max_new_tokens`` when the model
    forces it at the last step (Marian does): it gives at most
    ``max_new_tokens - 1`` words and ``</s>``. CTranslate2's
    ``max_decoding_length`` counts words only, so it is one less there.
    """
    words = max_new_tokens - 1 if forced_eos else max_new_tokens
    return {
        "beam_size": beam_size,
        "max_decoding_length": max(1, words),
        "min_decoding_length": min(min_new_tokens, max(1, words)),
        "repetition_penalty": repetition_penalty,
        "no_repeat_ngram_size": no_repeat_ngram_size,
    }


def _device(requested: str, ctranslate2: Any) -> str:
    if requested == "auto":
        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    return requested


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _compute_type(device: str, quantization: str) -> str:
    if device == "cuda":
        return "int8_float16" if quantization.startswith("int8") else "float16"
    return "default"


class Ct2Translator:
    """Translate with a converted model (the ``Translator`` interface).

    Build it with :func:`load_ct2_translator`; the constructor only stores.

    Args:
        model_id: the model's name in the registry (as the torch backend reports it).
        revision: the snapshot's revision.
        quantization: the converted model's quantization.
        translator: a loaded ``ctranslate2.Translator``.
        tokenizer: the snapshot's MarianTokenizer.
        decoding: keywords for ``translate_batch`` (see :func:`decoding_options`).
        options: device, threads and batching.
    """

    def __init__(
        self,
        model_id: str,
        revision: str,
        quantization: str,
        translator: Any,
        tokenizer: Any,
        decoding: dict[str, Any],
        options: Ct2Options,
    ) -> None:
        self.model_id = model_id
        self.revision = revision
        self.quantization = quantization
        self.backend = f"ct2-{quantization}"
        self.name = f"{model_id}@{self.backend}"
        self._translator = translator
        self._tokenizer = tokenizer
        self._decoding = decoding
        self._options = options

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Source pieces of each text, ending in ``</s>``, as the torch backend feeds them."""
        ids = self._tokenizer(list(texts), truncation=True).input_ids
        convert = self._tokenizer.convert_ids_to_tokens
        return [convert(row) for row in ids]

    def detokenize(self, pieces: Sequence[Sequence[str]]) -> list[str]:
        """Text of each hypothesis, decoded as the torch backend decodes ids."""
        to_ids = self._tokenizer.convert_tokens_to_ids
        ids = [to_ids(list(row)) for row in pieces]
        return list(self._tokenizer.batch_decode(ids, skip_special_tokens=True))

    def translate_batch(self, texts: list[str]) -> list[str]:
        """Translate texts in one CTranslate2 call; the output keeps their order."""
        if not texts:
            return []
        results = self._translator.translate_batch(
            self.tokenize(texts),
            max_batch_size=self._options.max_batch_size,
            batch_type=self._options.batch_type,
            **self._decoding,
        )
        return self.detokenize([r.hypotheses[0] for r in results])


def load_ct2_translator(
    snapshot: Path,
    model_id: str,
    revision: str,
    quantization: str,
    decoding: dict[str, Any],
    options: Ct2Options | None = None,
    converted: Path | None = None,
) -> Ct2Translator:
    """Load a converted model after checking it matches the snapshot's revision.

    Args:
        snapshot: the Hugging Face snapshot (its tokenizer is used).
        model_id: the model's registry name.
        revision: the snapshot's revision; the converted model must record the same.
        quantization: which converted model to load.
        decoding: see :func:`decoding_options`.
        options: device, threads, batching.
        converted: the converted folder; default :func:`converted_path`.

    Raises:
        ModelError: package missing, no converted model, or a revision mismatch.
    """
    options = options or Ct2Options()
    converted = converted or converted_path(snapshot, quantization)
    if not converted.is_dir():
        raise ModelError(f"{converted}: no converted model; run `parallax models convert` first")
    check_conversion(converted, revision)
    ctranslate2 = _require_ct2()
    from transformers import MarianTokenizer

    device = _device(options.device, ctranslate2)
    threads = options.intra_threads or _cores()
    try:
        translator = ctranslate2.Translator(
            str(converted),
            device=device,
            compute_type=_compute_type(device, quantization),
            intra_threads=threads,
            inter_threads=options.inter_threads,
        )
        tokenizer = MarianTokenizer.from_pretrained(str(snapshot))
    except (OSError, ValueError, RuntimeError) as exc:
        raise ModelError(f"{converted}: cannot load ({exc})") from exc
    log.info("loaded %s on %s (%d threads)", converted, device, threads)
    return Ct2Translator(model_id, revision, quantization, translator, tokenizer, decoding, options)
