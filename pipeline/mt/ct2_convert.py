"""CTranslate2 models: convert a MarianMT snapshot once, and check what was converted.

``convert_snapshot`` turns the Hugging Face snapshot the torch backend loads
into a CTranslate2 model (``models/<name>-ct2-<quantization>/``) and records
the snapshot's model id, revision and the conversion settings in a small JSON
file inside it; ``check_conversion`` refuses a converted model whose recorded
revision differs from the snapshot's. The translator is in
:mod:`pipeline.mt.ct2_translator`.

``ctranslate2`` is the optional extra ``parallax-mt[fast]``; it is imported
only when a conversion or a translation runs. Its converter (4.8.5) works with
transformers 5 as is; it expects ``<pad>`` to be the last vocabulary entry, as
in every OPUS-MT model, and drops that row (the decoder starts from a zero
embedding instead).
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline import ConfigError, InputError, ModelError
from pipeline.io.atomic import atomic_dir, atomic_write_json
from pipeline.io.files import read_json
from pipeline.mt.registry import IDENTITY, model_specs, resolve

__all__ = [
    "CONVERSION_FILE",
    "QUANTIZATIONS",
    "check_conversion",
    "convert_models",
    "convert_snapshot",
    "converted_path",
    "ct2_installed",
    "require_ct2",
]

log = logging.getLogger(__name__)

QUANTIZATIONS = ("int8", "int8_float16", "float16", "float32")
# Written inside the converted model's folder, beside CTranslate2's own files.
CONVERSION_FILE = "parallax-conversion.json"


def ct2_installed() -> bool:
    """True when the optional ``ctranslate2`` package can be imported."""
    return importlib.util.find_spec("ctranslate2") is not None


def converted_path(models_dir: Path, name: str, quantization: str) -> Path:
    """Where a model's converted copy lives, under the models folder.

    ``models``, ``opus-mt-vi-en``, ``int8`` -> ``models/opus-mt-vi-en-ct2-int8``.
    """
    _check_quantization(quantization)
    return models_dir / f"{name}-ct2-{quantization}"


def _check_quantization(quantization: str) -> None:
    if quantization not in QUANTIZATIONS:
        raise ConfigError(f"quantization {quantization!r} is not one of {', '.join(QUANTIZATIONS)}")


def require_ct2() -> Any:
    """Import ``ctranslate2``, or say how to install it (:class:`ModelError`)."""
    try:
        import ctranslate2
    except ImportError as exc:
        raise ModelError(
            "the ct2 backend needs the ctranslate2 package: pip install 'parallax-mt[fast]'"
        ) from exc
    return ctranslate2


def convert_snapshot(
    snapshot: Path, model_id: str, revision: str, quantization: str, target: Path
) -> Path:
    """Convert a MarianMT snapshot into a CTranslate2 model, once.

    The model is written into a temporary folder beside the target and renamed
    into place only when complete, with :data:`CONVERSION_FILE` recording the
    source snapshot, its revision and the settings.

    Args:
        snapshot: the Hugging Face snapshot folder (``save_pretrained`` layout).
        model_id: the model's id, as the torch backend records it.
        revision: the snapshot's revision, as the torch backend records it.
        quantization: one of :data:`QUANTIZATIONS`.
        target: the output folder (see :func:`converted_path`).

    Returns:
        the converted model's folder.

    Raises:
        ModelError: ctranslate2 missing, or the snapshot cannot be converted.
    """
    _check_quantization(quantization)
    ctranslate2 = require_ct2()
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
                "model_id": model_id,
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


def convert_models(
    models_dir: Path,
    overrides: Sequence[str],
    langs: Sequence[str],
    quantization: str,
    overwrite: bool = False,
) -> list[tuple[str, str]]:
    """Convert the snapshot of each language's model (``parallax models convert``).

    A converted model already made from the same revision is kept unless
    ``overwrite``; one made from another revision is replaced.

    Args:
        models_dir: the registry, the snapshots and the converted models.
        overrides: ``LANG=HUB_ID_OR_FOLDER`` values, as for the translate stage.
        langs: languages to convert (default: every language with a model).
        quantization: one of :data:`QUANTIZATIONS`.
        overwrite: convert even when an up-to-date conversion exists.

    Returns:
        (language, what happened) per language; failures start with ``failed``.
    """
    _check_quantization(quantization)
    specs = model_specs(models_dir, overrides)
    rows: list[tuple[str, str]] = []
    for lang in langs or [k for k, v in sorted(specs.items()) if v.model_id != IDENTITY]:
        spec = specs.get(lang)
        if spec is None or spec.model_id == IDENTITY:
            rows.append((lang, f"failed: no model to convert (known: {', '.join(sorted(specs))})"))
            continue
        target = converted_path(models_dir, spec.local_name, quantization)
        try:
            model = resolve(spec, models_dir)
            if target.is_dir() and not overwrite:
                try:
                    check_conversion(target, model.revision)
                    rows.append((lang, f"up to date: {target} ({model.name})"))
                    continue
                except ModelError as exc:
                    log.info("converting again: %s", exc)
            convert_snapshot(model.folder, model.model_id, model.revision, quantization, target)
            rows.append((lang, f"converted {model.name} -> {target}"))
        except (ModelError, InputError) as exc:
            rows.append((lang, f"failed: {exc}"))
    return rows
