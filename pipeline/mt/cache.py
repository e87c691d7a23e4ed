"""A translation cache in SQLite, safe for several processes on one machine.

Keys hash the model id and revision (for a folder with no hub revision, its
content fingerprint alone, so the same model copied elsewhere keeps its
entries), the backend, the generation settings and the source text, so a
change to any of them misses the cache. The database
runs in WAL mode with a busy timeout; writes are short transactions of
``INSERT OR IGNORE``, so two runs sharing a cache never corrupt it and the
first answer for a key wins. One connection serves the threads of a process
(the engine translates languages at once), one call at a time under a lock.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline import InputError, MachineError
from pipeline.io.files import machine_error
from pipeline.mt.registry import LOCAL_PREFIX

__all__ = ["TranslationCache", "cache_key", "model_identity"]

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    translation TEXT NOT NULL
)
"""
CHUNK = 500  # keys per SELECT, below SQLite's variable limit
# SQLite primary result codes that are the machine's fault -> the errno they mean.
_SQLITE_ERRNO = {
    sqlite3.SQLITE_FULL: errno.ENOSPC,
    sqlite3.SQLITE_READONLY: errno.EROFS,
    sqlite3.SQLITE_IOERR: errno.EIO,
    sqlite3.SQLITE_CANTOPEN: errno.EACCES,
    sqlite3.SQLITE_PERM: errno.EPERM,
}


def model_identity(name: str, revision: str) -> str:
    """A model as cache keys name it: ``model_id@revision``, or a folder's fingerprint.

    A folder given with ``--model vi=PATH`` is named by its path, but its
    revision (``local-...``) is a hash of its content: the path is left out so
    that a copy of the folder reuses the entries of the original.
    """
    return revision if revision.startswith(LOCAL_PREFIX) else name


def cache_key(model: str, settings: Mapping[str, Any], source: str) -> str:
    """The cache key of one source text under one model and its settings.

    Args:
        model: :func:`model_identity` of the model.
        settings: backend and generation settings (any JSON-able mapping).
        source: the text sent to the model.
    """
    blob = json.dumps([model, dict(sorted(settings.items())), source], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class TranslationCache:
    """Source -> translation, keyed by :func:`cache_key`.

    Args:
        path: the SQLite file (created with its folder).
        timeout: seconds to wait for another writer.
    """

    def __init__(self, path: Path, timeout: float = 30.0) -> None:
        self.path = path
        self._timeout = timeout
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # one statement sequence at a time on the connection
        self.hits = 0
        self.misses = 0

    def __enter__(self) -> TranslationCache:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                self._db = self._open()
                return self
            except sqlite3.OperationalError as exc:
                # Switching a new database to WAL can answer "locked" at once, without
                # the busy handler, while another process sets it up: try again.
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise self._unusable(exc) from exc
                time.sleep(0.05)
            except sqlite3.DatabaseError as exc:
                raise self._unusable(exc) from exc

    def _unusable(self, exc: sqlite3.Error) -> InputError | MachineError:
        machine = self._machine(exc)
        if machine is not None:
            return machine
        return InputError(f"{self.path}: not a usable translation cache ({exc})")

    def _machine(self, exc: sqlite3.Error) -> MachineError | None:
        """The machine's part of an SQLite error (disk full, read-only, I/O), else None."""
        code = getattr(exc, "sqlite_errorcode", None)
        number = _SQLITE_ERRNO.get(code & 0xFF) if code is not None else None
        if number is None:
            return None
        return machine_error(OSError(number, str(exc)), self.path, "write the translation cache")

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False
        )
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute(SCHEMA)
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def __exit__(self, *exc: object) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("TranslationCache used outside its with-block")
        return self._db

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        """Return key -> translation for the keys present."""
        found: dict[str, str] = {}
        db = self._conn()
        with self._lock:
            for start in range(0, len(keys), CHUNK):
                part = list(keys[start : start + CHUNK])
                marks = ",".join("?" * len(part))
                rows = db.execute(
                    f"SELECT key, translation FROM translations WHERE key IN ({marks})", part
                )
                found.update(rows.fetchall())
            self.hits += len(found)
            self.misses += len(set(keys)) - len(found)
        return found

    def put_many(self, model: str, items: Iterable[tuple[str, str]]) -> None:
        """Store (key, translation) pairs in one short transaction; existing keys win."""
        rows = [(key, model, text) for key, text in items]
        if not rows:
            return
        db = self._conn()
        try:
            with self._lock:
                _insert(db, rows)
        except sqlite3.Error as exc:
            machine = self._machine(exc)
            if machine is None:
                raise
            raise machine from exc

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn().execute("SELECT COUNT(*) FROM translations").fetchone()[0])


def _insert(db: sqlite3.Connection, rows: list[tuple[str, str, str]]) -> None:
    """Insert rows in one transaction, rolled back on an error; existing keys win."""
    db.execute("BEGIN IMMEDIATE")
    try:
        db.executemany("INSERT OR IGNORE INTO translations VALUES (?, ?, ?)", rows)
        db.execute("COMMIT")
    except sqlite3.Error:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
