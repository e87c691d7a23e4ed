"""The model registry: which model translates each language, and where it is found.

``models/registry.toml`` maps a source language to a Hugging Face model id and a
pinned revision (the built-in table below is used when the file is absent).
Users override a language with ``LANG=HUB_ID_OR_FOLDER``. A model is looked for,
in order, in a local snapshot ``models/<name>/``, in the Hugging Face cache
(``HF_HOME``), and on the hub (unless ``HF_HUB_OFFLINE`` is set), through
:mod:`pipeline.mt.hub`. A folder given by the user has no hub revision: it gets a
fingerprint of its files' content, the same wherever the folder is copied.
"""

from __future__ import annotations

import hashlib
import logging
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline import ConfigError, ModelError
from pipeline.io.atomic import atomic_write_json
from pipeline.io.files import file_sha256, read_block, read_json, read_text
from pipeline.mt.hub import cached_snapshot, download_snapshot, hub_errors, offline

__all__ = [
    "IDENTITY",
    "LOCAL_PREFIX",
    "ModelSpec",
    "ResolvedModel",
    "base_lang",
    "describe",
    "fetch_model",
    "load_registry",
    "locate",
    "missing_files",
    "model_specs",
    "parse_overrides",
    "resolve",
]

log = logging.getLogger(__name__)

IDENTITY = "identity"
DEFAULT_REGISTRY: dict[str, tuple[str, str]] = {
    "en": (IDENTITY, ""),
    "vi": ("Helsinki-NLP/opus-mt-vi-en", "main"),
    "zh": ("Helsinki-NLP/opus-mt-zh-en", "main"),
}
# Files a snapshot must hold to load; ``weights`` is any of WEIGHTS.
REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHTS = ("model.safetensors", "pytorch_model.bin")
MARKER = "parallax-model.json"
LOCAL_PREFIX = "local-"  # the revision of a folder without a hub revision: its fingerprint


@dataclass(frozen=True)
class ModelSpec:
    """One language's model as configured, before it is looked for.

    Attributes:
        lang: source language code (``vi``, ``zh``...).
        model_id: hub id (``Helsinki-NLP/opus-mt-vi-en``), ``identity``, or a folder.
        revision: pinned hub revision; ``local`` for a folder given by the user.
        folder: the folder the user named, when ``model_id`` is one.
    """

    lang: str
    model_id: str
    revision: str = "main"
    folder: Path | None = None

    @property
    def local_name(self) -> str:
        """The folder name of its snapshot under ``models/``."""
        return self.model_id.rstrip("/").split("/")[-1]


def base_lang(lang: str) -> str:
    """The registry key of a language code: ``zh-cn`` -> ``zh``, ``VI`` -> ``vi``."""
    return lang.lower().replace("_", "-").split("-")[0]


def load_registry(models_dir: Path) -> dict[str, tuple[str, str]]:
    """Read ``<models_dir>/registry.toml``: lang -> (model id, revision).

    The built-in table is used when the file does not exist.

    Raises:
        ConfigError: invalid TOML or a malformed entry, naming the file.
    """
    path = models_dir / "registry.toml"
    if not path.is_file():
        log.debug("%s not found; using the built-in model registry", path)
        return dict(DEFAULT_REGISTRY)
    try:
        data = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from exc
    registry: dict[str, tuple[str, str]] = {}
    for lang, entry in data.get("languages", {}).items():
        if not isinstance(entry, dict) or not isinstance(entry.get("model"), str):
            raise ConfigError(f'{path}: [languages.{lang}] needs model = "HUB_ID"')
        registry[base_lang(lang)] = (entry["model"], str(entry.get("revision", "main")))
    return registry


def parse_overrides(values: Iterable[str]) -> dict[str, str]:
    """Parse ``LANG=HUB_ID_OR_FOLDER`` values (``--model``) into lang -> value.

    Raises:
        ConfigError: a value without ``=`` or with an empty side.
    """
    overrides: dict[str, str] = {}
    for value in values:
        lang, sep, target = value.partition("=")
        if not sep or not lang.strip() or not target.strip():
            raise ConfigError(f"--model {value!r}: expected LANG=HUB_ID_OR_FOLDER, like vi=PATH")
        overrides[base_lang(lang.strip())] = target.strip()
    return overrides


def model_specs(models_dir: Path, overrides: Sequence[str] = ()) -> dict[str, ModelSpec]:
    """Every configured language's model: the registry with the overrides applied."""
    specs = {
        lang: ModelSpec(lang, model_id, revision)
        for lang, (model_id, revision) in load_registry(models_dir).items()
    }
    for lang, target in parse_overrides(overrides).items():
        if target == IDENTITY:
            specs[lang] = ModelSpec(lang, IDENTITY, "")
        elif Path(target).is_dir() or target.startswith((".", "/", "~")):
            folder = Path(target).expanduser()
            specs[lang] = ModelSpec(lang, str(folder), "local", folder=folder)
        else:
            model_id, _, revision = target.partition("@")
            specs[lang] = ModelSpec(lang, model_id, revision or "main")
    return specs


def missing_files(folder: Path) -> list[str]:
    """The files a Marian snapshot needs that ``folder`` lacks."""
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if not any((folder / name).is_file() for name in WEIGHTS):
        missing.append(" or ".join(WEIGHTS))
    return missing


def locate(spec: ModelSpec, models_dir: Path, hub: bool = False) -> tuple[Path | None, str]:
    """Find a model on this machine, and the hub too when ``hub`` is true.

    Returns:
        (folder or None, where it was found, or where it was looked for).
    """
    if spec.folder is not None:
        missing = missing_files(spec.folder)
        found = spec.folder if spec.folder.is_dir() and not missing else None
        return found, f"{spec.folder}" + (f" (missing {', '.join(missing)})" if missing else "")
    local = models_dir / spec.local_name
    if local.is_dir() and not missing_files(local):
        return local, f"local snapshot {local}"
    failures = hub_errors()
    places = f"{local}, the Hugging Face cache"
    try:
        path = cached_snapshot(spec.model_id, spec.revision)
        if not missing_files(path):
            return path, f"Hugging Face cache {path}"
        places += f" (incomplete snapshot {path}: missing {', '.join(missing_files(path))})"
    except failures as exc:
        log.debug("%s not in the Hugging Face cache: %s", spec.model_id, exc)
    if not hub or offline():
        return None, places + (" (the hub was not tried: HF_HUB_OFFLINE)" if hub else "")
    try:
        path = download_snapshot(spec.model_id, spec.revision)
    except failures as exc:
        first = (str(exc).splitlines() or [""])[0]
        return None, places + f", the hub ({type(exc).__name__}: {first})"
    missing = missing_files(path)
    if missing:
        return None, places + f", the hub ({path} lacks {', '.join(missing)})"
    return path, f"hub, cached at {path}"


@dataclass(frozen=True)
class ResolvedModel:
    """A model found on disk, with the identity recorded on every translation.

    Attributes:
        spec: what was asked for.
        folder: the snapshot to load.
        model_id: hub id (from the snapshot's marker when a folder was given).
        revision: pinned revision, or a fingerprint of a local folder's files.
    """

    spec: ModelSpec
    folder: Path
    model_id: str
    revision: str

    @property
    def name(self) -> str:
        """``model_id@revision``, as written on translations."""
        return f"{self.model_id}@{self.revision}"


# Files that shape the output, hashed whole; the weights are sampled (see _fingerprint).
FINGERPRINTED = (*REQUIRED_FILES, "generation_config.json", "tokenizer_config.json")
SAMPLE = 1 << 16


def _fingerprint(folder: Path) -> str:
    """A short revision for an unversioned folder, from its content only.

    The configs and tokenizer files are hashed whole; each weight file by its size
    and three 64 KiB blocks (start, middle, end), which any retraining or
    fine-tune changes, so a 300 MB model is identified without reading it all.
    Copying the folder (new paths, new modification times) keeps the fingerprint.
    """
    digest = hashlib.sha256()
    for name in FINGERPRINTED:
        if (folder / name).is_file():
            digest.update(f"{name}:{file_sha256(folder / name)}".encode())
    for name in WEIGHTS:
        weights = folder / name
        if weights.is_file():
            size = weights.stat().st_size
            digest.update(f"{name}:{size}:".encode())
            for offset in sorted({0, max(0, size // 2 - SAMPLE // 2), max(0, size - SAMPLE)}):
                digest.update(read_block(weights, offset, SAMPLE))
    return LOCAL_PREFIX + digest.hexdigest()[:12]


def resolve(spec: ModelSpec, models_dir: Path) -> ResolvedModel:
    """Find a model, trying the hub last.

    Raises:
        ModelError: not found; the message names the model, where it looked and the fix.
    """
    folder, where = locate(spec, models_dir, hub=True)
    if folder is None:
        raise ModelError(
            f"model {spec.model_id} for {spec.lang!r} not found (looked in {where}); "
            f"run `parallax models fetch {spec.lang}` where the hub is reachable, "
            f"or pass --model {spec.lang}=PATH to a downloaded snapshot"
        )
    log.info("model for %s: %s (%s)", spec.lang, spec.model_id, where)
    marker = folder / MARKER
    if marker.is_file():
        info = read_json(marker)
        return ResolvedModel(spec, folder, str(info["model_id"]), str(info["revision"]))
    if spec.folder is not None:
        return ResolvedModel(spec, folder, spec.model_id, _fingerprint(folder))
    revision = folder.name if len(folder.name) == 40 else spec.revision
    return ResolvedModel(spec, folder, spec.model_id, revision)


def fetch_model(spec: ModelSpec, models_dir: Path) -> Path:
    """Download a model's snapshot into ``models/<name>/`` for offline use.

    Raises:
        ModelError: the download failed or the snapshot lacks a required file.
    """
    if spec.model_id == IDENTITY or spec.folder is not None:
        raise ModelError(f"{spec.lang}: {spec.model_id} is not a hub model; nothing to fetch")
    from huggingface_hub import HfApi

    target = models_dir / spec.local_name
    try:
        sha = HfApi().model_info(spec.model_id, revision=spec.revision).sha or spec.revision
        download_snapshot(spec.model_id, sha, local_dir=target)
    except hub_errors() as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelError(f"cannot fetch {spec.model_id}@{spec.revision}: {first}") from exc
    missing = missing_files(target)
    if missing:
        raise ModelError(f"{target}: snapshot of {spec.model_id} lacks {', '.join(missing)}")
    atomic_write_json(target / MARKER, {"model_id": spec.model_id, "revision": sha})
    return target


def describe(specs: Mapping[str, ModelSpec], models_dir: Path) -> list[dict[str, str]]:
    """One row per language for ``parallax models list``: model, revision, where found."""
    rows = []
    for lang, spec in sorted(specs.items()):
        if spec.model_id == IDENTITY:
            rows.append({"lang": lang, "model": IDENTITY, "revision": "", "available": "built in"})
            continue
        folder, where = locate(spec, models_dir, hub=False)
        state = f"yes: {where}" if folder is not None else f"no (looked in {where})"
        rows.append(
            {"lang": lang, "model": spec.model_id, "revision": spec.revision, "available": state}
        )
    return rows
