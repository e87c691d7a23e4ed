"""Reading files and folders: JSON, text, bytes with a size limit, hashes, package data.

Readers raise :class:`~pipeline.InputError` naming the file and what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline import ConfigError, InputError


def read_json(path: Path) -> Any:
    """Read one JSON document.

    Raises:
        InputError: missing, unreadable or invalid file.
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from exc


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """Read a file's bytes, at most ``limit`` of them when given.

    Raises:
        OSError: the caller decides how an unreadable input is reported.
    """
    with path.open("rb") as handle:
        return handle.read() if limit is None else handle.read(limit)


def read_block(path: Path, offset: int, size: int) -> bytes:
    """Read at most ``size`` bytes of a file from ``offset`` on (samples of large files).

    Raises:
        OSError: the caller decides how an unreadable input is reported.
    """
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read(size)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (configs, references); errors name the file."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 at byte {exc.start} ({exc.reason})") from exc


def read_text_lines(path: Path) -> list[str]:
    """Read a UTF-8 file as lines without their line ends (for plain-text corpora)."""
    return read_text(path).splitlines()


def walk_files(root: Path, skip: Path | None = None) -> Iterator[tuple[Path, str | None]]:
    """Yield the files under ``root`` in sorted order, recursively.

    Hidden files and folders (name starting with ".") and everything under
    ``skip`` are left out. A folder that cannot be listed is yielded as
    ``(folder, reason)``; files come as ``(file, None)``.
    """
    errors: list[OSError] = []
    skip_resolved = skip.resolve() if skip is not None else None
    for folder, dirs, files in os.walk(root, onerror=errors.append):
        here = Path(folder)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip_resolved
        )
        while errors:
            exc = errors.pop(0)
            yield Path(exc.filename or folder), f"cannot read folder ({exc.strerror or exc})"
        for name in sorted(files):
            if not name.startswith("."):
                yield here / name, None
    for exc in errors:
        yield Path(exc.filename or root), f"cannot read folder ({exc.strerror or exc})"


def read_package_text(name: str) -> str:
    """Read a text file shipped inside the package, ``pipeline/data/<name>``."""
    from importlib import resources

    return resources.files("pipeline").joinpath("data", name).read_text(encoding="utf-8")


def read_package_toml(name: str) -> dict[str, Any]:
    """Read a TOML data file shipped in the package (``pipeline/data/<name>``).

    Raises:
        ConfigError: the file is missing or is not valid TOML; the message names it.
    """
    import tomllib
    from importlib import resources

    resource = resources.files("pipeline").joinpath("data", name)
    try:
        return tomllib.loads(resource.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"pipeline/data/{name}: cannot read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"pipeline/data/{name}: not valid TOML ({exc})") from exc


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """Hash a file's bytes without reading it into memory at once."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def count_lines(path: Path) -> int:
    """The number of non-empty lines of a file, read in binary blocks (a progress total)."""
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            count += bool(line.strip())
    return count
