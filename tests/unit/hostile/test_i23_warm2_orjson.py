"""The parse cache reads its entries with orjson (kgov/catalog/cache.py `get`). Where orjson and the
standard library read the same bytes differently, an entry is a miss, never different data: what
`get` returns is always what `json.loads` returns, and passed the same checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgov.catalog import cache as cache_mod
from kgov.catalog import fastcheck

TOPICS: dict[str, Any] = {
    "service": "orders",
    "topics": [
        {"name": "orders.a", "partitions": 3, "replication_factor": 1, "config": {"retention.ms": 1}},
    ],
}
TEXT = yaml.safe_dump(TOPICS)


def _entry(tmp_path: Path, body: bytes) -> cache_mod.Cache:
    cache = cache_mod.Cache(tmp_path)
    target = cache._path(cache_mod.key(TEXT, "topics"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    return cache


def _body(config_value: str) -> bytes:
    """An entry of TOPICS whose retention.ms is the JSON text `config_value`."""
    digest = cache_mod.key(TEXT, "topics")
    data = json.dumps(TOPICS).replace('"retention.ms": 1', f'"retention.ms": {config_value}')
    return f'{{"key": "{digest}", "data": {data}}}'.encode("utf-8", "surrogatepass")


def test_a_good_entry_is_a_hit(tmp_path: Path) -> None:
    cache = _entry(tmp_path, _body("86400000"))
    got = cache.get(TEXT, "topics")
    assert got == json.loads(_body("86400000"))["data"] and cache.hits == 1


@pytest.mark.parametrize(
    "value",
    [
        "123456789012345678901234567890",  # orjson reads a float, json a huge int: both refused
        "1000000000000000000",  # 10**18: past the fast path's bound
        "18446744073709551616",  # 2**64
        "-9223372036854775809",  # below i64
        "1e400",  # json: inf
        "NaN",  # json only
        "Infinity",
        "1.0",
        '"\\ud800"',  # a lone surrogate: json reads it, orjson refuses it
        '"\udc80"',  # written raw with surrogatepass: not UTF-8
    ],
)
def test_what_either_reader_refuses_or_the_checks_refuse_is_a_miss(tmp_path: Path, value: str) -> None:
    cache = _entry(tmp_path, _body(value))
    assert cache.get(TEXT, "topics") is None and cache.hits == 0


@pytest.mark.parametrize(
    "body",
    [
        b"\xef\xbb\xbf" + _body("1"),  # a byte-order mark: json.loads(bytes) takes it, orjson does not
        _body("1").decode().encode("utf-16"),  # json.loads(bytes) detects UTF-16
        _body("1") + b" trailing",
        b"",
        b"[]",
        b'{"key": null, "data": {}}',
    ],
)
def test_bytes_that_are_not_one_utf8_json_entry_are_a_miss(tmp_path: Path, body: bytes) -> None:
    assert _entry(tmp_path, body).get(TEXT, "topics") is None


def test_a_repeated_key_is_read_as_json_reads_it(tmp_path: Path) -> None:
    # both readers keep the last of a repeated key: a forged entry cannot get past the key check by
    # repeating "key" (the last, the one checked, is the one used)
    digest = cache_mod.key(TEXT, "topics")
    data = json.dumps(TOPICS)
    body = f'{{"key": "{digest}", "data": {{}}, "data": {data}, "key": "x"}}'.encode()
    assert _entry(tmp_path, body).get(TEXT, "topics") is None
    body = f'{{"key": "x", "data": {{}}, "data": {data}, "key": "{digest}"}}'.encode()
    assert _entry(tmp_path, body).get(TEXT, "topics") == json.loads(body)["data"] == TOPICS


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.text(max_size=8),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=st.dictionaries(st.text(max_size=12), _VALUES, max_size=4))
def test_a_hit_is_what_json_reads(tmp_path: Path, config: dict[str, Any]) -> None:
    """Entries as `put` writes them (json.dumps): orjson's hit is json's value, and only where the
    checks that ran before on json's value take it."""
    data = {"service": "orders", "topics": [{**TOPICS["topics"][0], "config": config}]}
    digest = cache_mod.key(TEXT, "topics")
    body = json.dumps({"key": digest, "data": data}, ensure_ascii=False).encode("utf-8", "surrogatepass")
    got = _entry(tmp_path, body).get(TEXT, "topics")
    old = json.loads(body)["data"]
    old_taken = cache_mod._common("topics", old) or (cache_mod.plain(old) and fastcheck.valid("topics", old))
    if got is not None:
        assert got == old and old_taken
        kept = got["topics"][0]["config"].values()
        assert all(type(a) is type(b) for a, b in zip(kept, config.values(), strict=True))
    else:
        assert not old_taken
