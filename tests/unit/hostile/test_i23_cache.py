"""The content-hash cache of parsed catalog files (KGOV_CACHE_DIR, kgov/catalog/cache.py): a hit gives
exactly what a fresh parse gives; a tampered, corrupt or foreign entry is ignored; the folder is bounded."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from kgov.catalog import cache as cache_mod
from kgov.catalog import load as load_mod
from kgov.catalog.fastyaml import LazyPositions
from kgov.catalog.load import Loaded, load_catalog
from tests.unit.test_fuzz_catalog import EXAMPLE, structural_edits, text_edits

TOPICS = (
    "service: orders\nowner: team-orders\ntopics:\n  - name: orders.created\n    description: An order.\n"
    "    partitions: 6\n    replication_factor: 3\n"
)


def _load(root: Path, folder: Path | None) -> Loaded:
    old = os.environ.pop(cache_mod.ENV, None)
    try:
        if folder is not None:
            os.environ[cache_mod.ENV] = str(folder)
        return load_catalog(root)
    finally:
        os.environ.pop(cache_mod.ENV, None)
        if old is not None:
            os.environ[cache_mod.ENV] = old


def _same(a: Loaded, b: Loaded) -> None:
    assert a.catalog == b.catalog
    assert a.diagnostics == b.diagnostics


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.json"))


def _parse_counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the texts really parsed (not served from the process's lru_cache either)."""
    seen: list[str] = []

    def parse(text: str) -> object:
        seen.append(text)
        return load_mod.read_yaml(text)

    monkeypatch.setattr(load_mod, "_parse", parse)
    return seen


def test_a_warm_load_parses_nothing_and_equals_a_fresh_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    folder = tmp_path / "cache"
    parsed = _parse_counted(monkeypatch)
    fresh = _load(root, None)
    cold = _load(root, folder)
    assert _entries(folder), "the cold load keeps what it parsed"
    parsed.clear()
    warm = _load(root, folder)
    # every file the fast path reads came from the cache (the others, e.g. with anchors, are parsed)
    assert not [t for t in parsed if isinstance(load_mod.read_yaml(t).positions, LazyPositions)]
    assert len(parsed) < len(list(root.rglob("*.yaml"))) // 2
    _same(fresh, cold)
    _same(fresh, warm)


def test_a_changed_file_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    folder = tmp_path / "cache"
    _load(root, folder)
    parsed = _parse_counted(monkeypatch)
    topics = root / "topics" / "orders.yaml"
    topics.write_text(topics.read_text("utf-8") + "\n", "utf-8")
    _same(_load(root, None), _load(root, folder))
    assert [t for t in parsed if t == topics.read_text("utf-8")]


def _one_file(tmp_path: Path, text: str = TOPICS) -> tuple[Path, Path, Path]:
    """A catalog of one topics file, loaded once with the cache: (root, cache folder, its entry)."""
    root = tmp_path / "catalog"
    (root / "topics").mkdir(parents=True)
    (root / "kgov.yaml").write_text("version: 1\n", "utf-8")
    (root / "topics" / "orders.yaml").write_text(text, "utf-8")
    folder = tmp_path / "cache"
    _load(root, folder)
    entry = cache_mod.Cache(folder)._path(cache_mod.key(text, "topics"))
    assert entry.is_file()
    return root, folder, entry


def _topic_names(loaded: Loaded) -> list[str]:
    return [t.name for f in loaded.catalog.topic_files for t in f.topics]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda e, k: b"{not json", id="corrupt"),
        pytest.param(lambda e, k: b"", id="empty"),
        pytest.param(lambda e, k: json.dumps({"key": "0" * 64, "data": e["data"]}).encode(), id="other-key"),
        pytest.param(lambda e, k: json.dumps({"data": e["data"]}).encode(), id="no-key"),
        pytest.param(lambda e, k: json.dumps([k, e["data"]]).encode(), id="not-an-object"),
        pytest.param(
            lambda e, k: json.dumps({"key": k, "data": {**e["data"], "owner": 1.5}}).encode(), id="float"
        ),
        pytest.param(
            lambda e, k: json.dumps({"key": k, "data": {**e["data"], "topics": "x"}}).encode(), id="invalid"
        ),
        pytest.param(
            lambda e, k: json.dumps({"key": k, "data": {**e["data"], "owner": 10**30}}).encode(),
            id="huge-int",
        ),
        pytest.param(lambda e, k: json.dumps({"key": k, "data": None}).encode(), id="null"),
        pytest.param(
            lambda e, k: (f'{{"key":"{k}","data":' + "[" * 100_000 + "]" * 100_000 + "}").encode(), id="deep"
        ),
        pytest.param(lambda e, k: b'{"key":"' + k.encode() + b'","data":NaN}', id="nan"),
    ],
)
def test_a_tampered_entry_is_ignored_and_the_file_parsed(tmp_path: Path, tamper: object) -> None:
    root, folder, entry = _one_file(tmp_path)
    digest = entry.stem
    old = json.loads(entry.read_bytes())
    entry.write_bytes(tamper(old, digest))  # type: ignore[operator]
    loaded = _load(root, folder)
    _same(_load(root, None), loaded)
    assert _topic_names(loaded) == ["orders.created"]


def test_an_entry_kept_for_other_bytes_is_never_used(tmp_path: Path) -> None:
    """Copying another file's entry under this file's name: its key inside does not match."""
    root, folder, entry = _one_file(tmp_path)
    other = TOPICS.replace("orders.created", "orders.forged")
    forged = {"key": cache_mod.key(other, "topics"), "data": load_mod.read_yaml(other).data}
    entry.write_text(json.dumps(forged), "utf-8")
    assert _topic_names(_load(root, folder)) == ["orders.created"]


def test_a_symlinked_entry_is_not_followed(tmp_path: Path) -> None:
    root, folder, entry = _one_file(tmp_path)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(elsewhere)
    assert cache_mod.Cache(folder).get(TOPICS, "topics") is None
    assert _topic_names(_load(root, folder)) == ["orders.created"]


def test_an_unwritable_folder_only_loses_the_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file, not a folder", "utf-8")
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    _same(_load(root, None), _load(root, blocker))


def test_the_folder_is_bounded_oldest_removed_first(tmp_path: Path) -> None:
    c = cache_mod.Cache(tmp_path)
    texts = [TOPICS.replace("An order.", f"Order {i}.") for i in range(6)]
    for i, text in enumerate(texts):
        c.put(text, "topics", load_mod.read_yaml(text).data)
        path = c._path(cache_mod.key(text, "topics"))
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    c.trim(max_entries=4)
    assert len(_entries(tmp_path)) == 4
    kept = [c.get(t, "topics") is not None for t in texts]
    assert kept == [False, False, True, True, True, True]


def test_a_load_that_writes_trims_to_the_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_mod, "MAX_ENTRIES", 3)
    monkeypatch.setattr(cache_mod.Cache.trim, "__defaults__", (3,))
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    _load(root, tmp_path / "cache")
    assert len(_entries(tmp_path / "cache")) == 3


def test_the_key_depends_on_kind_version_and_every_byte() -> None:
    k = cache_mod.key(TOPICS, "topics")
    assert k != cache_mod.key(TOPICS, "acls")
    assert k != cache_mod.key(TOPICS + " ", "topics")
    assert len(k) == 64


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _cold_warm_fresh(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "catalog"
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")
        fresh = _load(root, None)
        load_mod._parse.cache_clear()  # type: ignore[attr-defined]
        _same(fresh, _load(root, Path(tmp) / "cache"))
        load_mod._parse.cache_clear()  # type: ignore[attr-defined]
        _same(fresh, _load(root, Path(tmp) / "cache"))


@FUZZ
@given(text_edits())
def test_random_text_edits_load_the_same_cold_warm_and_fresh(files: dict[str, str]) -> None:
    _cold_warm_fresh(files)


@FUZZ
@given(structural_edits())
def test_random_structural_edits_load_the_same_cold_warm_and_fresh(files: dict[str, str]) -> None:
    _cold_warm_fresh(files)


def _nested(depth: int, in_dict: bool) -> object:
    node: object = "a"
    for _ in range(depth):
        node = {"k": node} if in_dict else [node]
    return node


@pytest.mark.parametrize("in_dict", [True, False])
def test_plain_allows_the_depth_the_fast_path_allows(in_dict: bool) -> None:
    from kgov.catalog.fastyaml import _agreed
    from kgov.catalog.yamlpos import MAX_DEPTH

    for depth in (MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1):
        assert cache_mod.plain(_nested(depth, in_dict)) == _agreed(_nested(depth, in_dict))
    assert not cache_mod.plain({"a": [1, 2.5]})
    assert not cache_mod.plain({"a": {1: "x"}})
    assert not cache_mod.plain({"a": b"x"})
    assert cache_mod.plain({"a": [None, True, "x", -(10**18) + 1, {"b": []}]})


def test_kgov_yaml_is_never_taken_from_the_cache(tmp_path: Path) -> None:
    """kgov.yaml says where CI connects: a cache folder (untrusted) must never say it instead."""
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    folder = tmp_path / "cache"
    _load(root, folder)
    text = (root / "kgov.yaml").read_text("utf-8")
    c = cache_mod.Cache(folder)
    assert not c._path(cache_mod.key(text, "kgov")).exists()
    data = json.loads(json.dumps(load_mod._parse(text).data))
    data["environments"] = {"evil": {"kafka": {"bootstrap_servers": "evil.example:9092"}}}
    c.put(text, "kgov", data)
    assert c.get(text, "kgov") is not None  # a well-formed entry under the right key ...
    loaded = _load(root, folder)
    assert "evil" not in loaded.catalog.settings.environments  # ... is still not used for kgov.yaml
    _same(_load(root, None), loaded)


def test_the_base_of_a_review_never_reads_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real = load_mod.load_catalog

    def spy(root: Path, *, cached: bool = True) -> Loaded:
        seen.append(cached)
        return real(root, cached=cached)

    from kgov.review import base as base_mod

    monkeypatch.setattr(base_mod, "load_catalog", spy)
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo / "catalog")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@localhost"]
    import subprocess

    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "c"], check=True)
    head = _load(repo / "catalog", tmp_path / "cache")
    os.environ[cache_mod.ENV] = str(tmp_path / "cache")
    try:
        with base_mod.base_catalog(head.catalog, repo / "catalog", "HEAD") as old:
            assert old.commit
    finally:
        os.environ.pop(cache_mod.ENV, None)
    assert seen == [False]


def test_half_written_entries_an_hour_old_are_removed(tmp_path: Path) -> None:
    c = cache_mod.Cache(tmp_path)
    c.put(TOPICS, "topics", load_mod.read_yaml(TOPICS).data)
    shard = c._path(cache_mod.key(TOPICS, "topics")).parent
    old, young = shard / ".tmp-old", shard / ".tmp-young"
    old.write_text("{", "utf-8")
    young.write_text("{", "utf-8")
    os.utime(old, (1_000_000, 1_000_000))
    c.trim()
    assert not old.exists() and young.exists()
    assert c.get(TOPICS, "topics") is not None
