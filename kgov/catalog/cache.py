"""A folder of parsed catalog files, keyed by content hash (`KGOV_CACHE_DIR`; off when unset).

What is kept: for a YAML file that parsed on the fast path (kgov/catalog/fastyaml.py: yaml-rs and
libyaml agree, so the values are plain: dicts with string keys, lists, strings, bounded ints,
booleans, None) and passed its kind's structural check with nothing to say, those values, as JSON.
A later load of a file with the same bytes takes them instead of parsing and checking again; the
positions are still found from the file's own text, on demand, as on the fast path.

The folder is untrusted input (CI restores it from a cache it does not control byte by byte):
- an entry is found by its key, sha256 of (format version, kgov version, kind, the file's bytes),
  so it is used only for a file whose bytes hash to that key;
- it is JSON (read with orjson: 0.04 s less at 100,000 topics; what orjson reads differently from the
  json module - a BOM, UTF-16, lone surrogates, NaN, huge ints - is a miss) read without following
  symlinks and size-bounded, never pickle; its key is inside and
  must match; its values must be plain data as above, no deeper than the YAML reader allows, and
  pass the kind's structural check again (cheap) - anything else is ignored as a miss, never trusted;
- a forged entry that passes all that is a catalog file someone could have written: it can change
  what this run reads, as editing the file could, and nothing more (see docs/scoped-plans.md).

The folder is bounded: at most MAX_ENTRIES entries; past that, the oldest written are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from kgov import __version__
from kgov.catalog import fastcheck
from kgov.catalog.yamlpos import MAX_DEPTH
from kgov.readfile import Unreadable, read_regular

ENV = "KGOV_CACHE_DIR"
FORMAT = 1  # of an entry; bump when the loader's output for the same text changes
MAX_ENTRIES = 20_000
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_MAX_INT = 10**18  # as kgov/catalog/fastyaml.py: larger ints never take the fast path


def key(text: str, kind: str) -> str:
    head = f"kgov-catalog-cache/{FORMAT}\0{__version__}\0{kind}\0".encode()
    return hashlib.sha256(head + text.encode("utf-8", "surrogatepass")).hexdigest()


def plain(root: Any) -> bool:
    """True if `root` holds only what the fast path reads (see the module docstring). Scalars are
    checked where their container is walked; only containers wait in the list (as fastyaml's
    `_agreed`, for the same reason: a topic file is mostly scalars)."""
    todo: list[tuple[Any, int]] = [([root], -1)]  # the root as the only item of a container above it
    while todo:
        node, depth = todo.pop()
        if depth >= MAX_DEPTH:
            return False
        if type(node) is dict:
            try:
                "".join(node)  # in C: a TypeError if a key is not a string
            except TypeError:
                return False
            items: Any = node.values()
        else:
            items = node
        for value in items:
            kind = type(value)
            if kind is str or kind is bool or value is None:
                continue
            if kind is dict or kind is list:
                todo.append((value, depth + 1))
            elif kind is not int or not -_MAX_INT < value < _MAX_INT:
                return False
    return True


def _common(kind: str, data: Any) -> bool:
    """True for a topics or acls file of the common shape (kgov/catalog/fastcheck.py `plain_topics`,
    `plain_access`): valid, and plain too, so `plain` need not walk it again. Those checks take exact
    types only (str, bool, bounded int; lists and dicts of them at fixed depths; JSON's keys are
    strings): everything `plain` asks but a config value's bound, checked here."""
    if kind == "acls":
        return fastcheck.plain_access(data)  # strings and booleans only
    if kind != "topics" or not fastcheck.plain_topics(data):
        return False
    for topic in data["topics"]:
        config = topic.get("config")
        if config:
            for value in config.values():
                if type(value) is int and not -_MAX_INT < value < _MAX_INT:
                    return False
    return True


class Cache:
    """The cache folder of one load: lookups, and the entries written during it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.written = 0

    @classmethod
    def from_env(cls) -> Cache | None:
        folder = os.environ.get(ENV, "")
        return cls(Path(folder)) if folder else None

    def _path(self, digest: str) -> Path:
        return self.folder / digest[:2] / f"{digest}.json"

    def get(self, text: str, kind: str) -> Any | None:
        """The values kept for this text of this kind, or None (a miss, or an entry not trusted)."""
        digest = key(text, kind)
        try:
            entry = orjson.loads(read_regular(self._path(digest), MAX_ENTRY_BYTES, follow_symlinks=False))
        except (Unreadable, OSError, ValueError, RecursionError):  # orjson.JSONDecodeError is a ValueError
            return None
        if type(entry) is not dict or entry.get("key") != digest or "data" not in entry:
            return None
        data = entry["data"]
        if data is None or not (_common(kind, data) or (plain(data) and fastcheck.valid(kind, data))):
            return None
        self.hits += 1
        return data

    def put(self, text: str, kind: str, data: Any) -> None:
        """Keep `data` (fast-path values of a valid file: plain, as fastyaml's `_agreed` checked; were
        they not, `get` would ignore the entry); any failure to write is only a lost entry."""
        digest = key(text, kind)
        target = self._path(digest)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            body = json.dumps({"key": digest, "data": data}, ensure_ascii=False, separators=(",", ":"))
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:  # dumps, not dump: dump encodes piece by piece, slowly
                    out.write(body.encode("utf-8", "surrogatepass"))
                os.replace(tmp, target)  # atomic: a reader sees the old entry, none, or the whole new one
            except BaseException:
                os.unlink(tmp)
                raise
        except (OSError, ValueError, RecursionError):
            return
        self.written += 1

    def trim(self, max_entries: int = MAX_ENTRIES) -> None:
        """Remove the oldest entries past `max_entries` (run after a load that wrote some)."""
        if not self.written:
            return
        entries: list[tuple[float, str]] = []
        stale: list[str] = []  # half-written entries of a process killed meanwhile, an hour old
        now = time.time()
        try:
            with os.scandir(self.folder) as shards:
                for shard in shards:
                    if len(shard.name) != 2 or not shard.is_dir(follow_symlinks=False):
                        continue
                    with os.scandir(shard.path) as files:
                        for f in files:
                            if not f.is_file(follow_symlinks=False):
                                continue
                            mtime = f.stat(follow_symlinks=False).st_mtime
                            if f.name.endswith(".json"):
                                entries.append((mtime, f.path))
                            elif f.name.startswith(".tmp-") and now - mtime > 3600:
                                stale.append(f.path)
        except OSError:
            return
        entries.sort()
        for path in stale + [p for _, p in entries[: max(0, len(entries) - max_entries)]]:
            with contextlib.suppress(OSError):  # removed meanwhile, or not ours to remove
                os.unlink(path)
