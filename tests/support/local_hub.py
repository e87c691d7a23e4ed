"""A Hugging Face hub on 127.0.0.1, serving model folders to ``huggingface_hub``.

It speaks what ``huggingface_hub`` 2.4's ``snapshot_download`` and
``hf_hub_download`` request (read in its ``_snapshot_download.py``,
``file_download.py`` and ``hf_api.py``), so pointing ``HF_ENDPOINT`` at it runs
the client's real download path:

- ``GET /api/models/{repo}/revision/{revision}``: the model info (``id``,
  ``sha``, ``siblings``), which resolves a branch to its commit;
- ``GET /api/models/{repo}/tree/{commit}?recursive=...``: the file listing
  (``type``, ``path``, ``size``, ``oid``, and ``lfs`` for the large files);
- ``HEAD`` and ``GET /{repo}/resolve/{revision}/{file}``: the file, with the
  headers the client checks: ``X-Repo-Commit``, ``ETag`` (the git blob sha1,
  or the sha256 for LFS files, which also get ``X-Linked-Etag`` and
  ``X-Linked-Size``), ``Content-Length``, and ``Range`` requests answered
  ``206`` with ``Content-Range`` (the client resumes a broken download so);
- errors as the hub sends them: ``404`` with ``X-Error-Code`` ``RepoNotFound``,
  ``RevisionNotFound`` or ``EntryNotFound``.

The hub's CDN redirect for LFS files is left out: a mirror on one host serves
them directly, as this one does. ``cut`` (file name -> bytes) makes the first
full ``GET`` of a file stop after that many bytes, the connection closing short
of the announced length as a dropped network connection does. Every request
is logged in ``requests``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

LFS_SUFFIXES = (".bin", ".safetensors", ".spm", ".h5", ".ot", ".msgpack")


def _blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Repo:
    """One repository: commits (sha -> files) and branches (name -> sha)."""

    commits: dict[str, dict[str, bytes]] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)

    def add(self, folder: Path, branch: str | None = "main") -> str:
        """Add a commit holding ``folder``'s files; point ``branch`` at it; return its sha."""
        files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
        sha = hashlib.sha1(json.dumps(sorted(_blob_sha1(b) for b in files.values())).encode())
        commit = hashlib.sha1(f"{len(self.commits)}:{sha.hexdigest()}".encode()).hexdigest()
        self.commits[commit] = files
        if branch:
            self.branches[branch] = commit
        return commit

    def commit(self, revision: str) -> str | None:
        """The commit a revision names, or None."""
        return revision if revision in self.commits else self.branches.get(revision)


@dataclass
class LocalHub:
    """The served repositories and what was asked of them."""

    repos: dict[str, Repo] = field(default_factory=dict)
    cut: dict[str, int] = field(default_factory=dict)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, range
    url: str = ""

    def repo(self, repo_id: str) -> Repo:
        """The repository ``repo_id``, created empty on first use."""
        return self.repos.setdefault(repo_id, Repo())


def _tree(files: dict[str, bytes]) -> list[dict[str, Any]]:
    entries = []
    for path, data in sorted(files.items()):
        entry: dict[str, Any] = {"type": "file", "path": path, "size": len(data)}
        entry["oid"] = _blob_sha1(data)
        if path.endswith(LFS_SUFFIXES):
            sha256 = hashlib.sha256(data).hexdigest()
            entry["lfs"] = {"oid": sha256, "size": len(data), "pointerSize": 134}
        entries.append(entry)
    return entries


class _Handler(BaseHTTPRequestHandler):
    hub: LocalHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _error(self, status: int, code: str, commit: str | None = None) -> None:
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", code)
        if commit:
            self.send_header("X-Repo-Commit", commit)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _json(self, data: Any, commit: str, body: bool) -> None:
        blob = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(blob)))
        self.send_header("X-Repo-Commit", commit)
        self.end_headers()
        if body:
            self.wfile.write(blob)

    def _serve(self, body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        self.hub.requests.append((self.command, path, self.headers.get("Range", "")))
        api = re.fullmatch(r"/api/models/(.+?)/(revision|tree)/([^/]+)/?", path)
        resolve = re.fullmatch(r"/(.+?)/resolve/([^/]+)/(.+)", path)
        match = api or resolve
        if match is None:
            return self._error(404, "EntryNotFound")
        repo_id, revision = match[1], match[3] if api else match[2]
        repo = self.hub.repos.get(repo_id)
        if repo is None:
            return self._error(404, "RepoNotFound")
        commit = repo.commit(revision)
        if commit is None:
            return self._error(404, "RevisionNotFound")
        files = repo.commits[commit]
        if api and match[2] == "revision":
            siblings = [{"rfilename": name} for name in sorted(files)]
            info = {"id": repo_id, "modelId": repo_id, "sha": commit, "siblings": siblings}
            return self._json({**info, "private": False, "tags": ["marian"]}, commit, body)
        if api:
            return self._json(_tree(files), commit, body)
        name = match[3]
        if name not in files:
            return self._error(404, "EntryNotFound", commit)
        self._send_file(name, files[name], commit, body)

    def _send_file(self, name: str, data: bytes, commit: str, body: bool) -> None:
        lfs = name.endswith(LFS_SUFFIXES)
        etag = hashlib.sha256(data).hexdigest() if lfs else _blob_sha1(data)
        start = 0
        ranged = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if ranged:
            start = int(ranged[1])
        self.send_response(206 if ranged else 200)
        self.send_header("X-Repo-Commit", commit)
        self.send_header("ETag", f'"{etag}"')
        if lfs:
            self.send_header("X-Linked-Etag", f'"{etag}"')
            self.send_header("X-Linked-Size", str(len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(data) - start))
        if ranged:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if not body:
            return
        if not ranged and name in self.hub.cut:
            self.wfile.write(data[: self.hub.cut.pop(name)])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data[start:])


@contextmanager
def serve(hub: LocalHub) -> Iterator[LocalHub]:
    """Serve ``hub`` on 127.0.0.1 (a free port) in a thread; ``hub.url`` is its endpoint."""
    handler = type("Handler", (_Handler,), {"hub": hub})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hub.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield hub
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
