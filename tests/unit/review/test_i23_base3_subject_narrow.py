"""A scoped plan (`kgov plan --base`) reads only the changed subjects and those tied to them by
references (kgov/kinds/subjects/__init__.py `related`): its entries are exactly those the subject
kind planned in full (today's path before it narrowed) gives for the scoped names, and the full
plan's for them, on the edge cases: a compatible and a breaking change, a referenced subject's new
version (its referrers follow), a referrer's level change (its check reads what it references), a
subject removed in an owned prefix, a protected or broken one; reads grow with the change only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import kgov.engine.make
from kgov.catalog.model import Catalog
from kgov.cluster.memory.registry import MemoryRegistry
from kgov.cluster.registry.port import NewSchema
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends
from kgov.kinds.subjects import SubjectKind
from kgov.plan.model import Entry, Plan, Scoped
from kgov.review.compare import changed_names
from tests.unit.kinds.test_subjects import V1, apply, avro, cat, with_field
from tests.unit.plan.helpers import ENV

KINDS = (SubjectKind(),)
CUSTOMER = {
    "type": "record",
    "name": "Customer",
    "namespace": "shop",
    "fields": [{"name": "cid", "type": "long"}],
}
ORDER = {
    "type": "record",
    "name": "Created",
    "namespace": "orders",
    "fields": [{"name": "customer", "type": "shop.Customer"}],
}


def _many(**changed: str) -> dict[str, str]:
    """20 independent subjects, `orders.tNN-value`, V1 each unless changed."""
    return {f"orders.t{i:02d}-value": changed.get(f"t{i:02d}", avro(V1)) for i in range(20)}


def _topics(schemas: dict[str, str]) -> dict[str, str]:
    return {s.removesuffix("-value"): s for s in schemas if s.endswith("-value")}


def _plan(c: Catalog, reg: MemoryRegistry, scoped: Scoped | None = None, allow_delete: bool = False) -> Plan:
    return make_plan(c, ENV, Backends(registry=reg), allow_delete=allow_delete, kinds=KINDS, scoped=scoped)


def _view(entries: Any) -> list[tuple[str, str, Any, Any, Any]]:
    return [(e.address, e.action, e.before, e.after, e.reason) for e in entries]


def _compare(
    monkeypatch: pytest.MonkeyPatch,
    head: Catalog,
    base: Catalog,
    reg: MemoryRegistry,
    allow_delete: bool = False,
) -> tuple[tuple[str, ...], Plan, int]:
    names = changed_names(head, base, ENV, KINDS)
    scoped = Scoped("HEAD", "0" * 40, names)
    full = _plan(head, reg, allow_delete=allow_delete)
    before = len(reg.calls)
    narrowed = _plan(head, reg, scoped, allow_delete)
    reads = len(reg.calls) - before
    with monkeypatch.context() as m:  # today's path: the subject kind planned in full
        original: Callable[..., Any] = kgov.engine.make.narrowed
        m.setattr(
            kgov.engine.make, "narrowed", lambda k, s, n: None if k.name == "subject" else original(k, s, n)
        )
        old = _plan(head, reg, scoped, allow_delete)
    mine = frozenset(names["subject"])
    ours: list[Entry] = [e for e in old.entries if e.name in mine]
    assert _view(narrowed.entries) == _view(ours)
    assert _view(narrowed.entries) == _view(e for e in full.entries if e.name in mine)
    return names["subject"], narrowed, reads


def _drifted(reg: MemoryRegistry) -> None:
    """A subject changed by hand outside the change: a full plan sees it, a scoped plan does not."""
    reg.register(NewSchema("orders.t19-value", "AVRO", avro(with_field(name="x", type="string", default=""))))


def test_one_changed_subject_of_many_reads_only_it(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = MemoryRegistry()
    base = cat(_many(), **_topics(_many()))
    apply(_plan(base, reg), reg)
    _drifted(reg)
    changed = _many(t03=avro(with_field(name="note", type="string", default="")))
    head = cat(changed, **_topics(changed))
    names, narrowed, reads = _compare(monkeypatch, head, base, reg)
    assert names == ("orders.t03-value",)
    assert [(e.name, e.action) for e in narrowed.entries] == [("orders.t03-value", "update")]
    assert reads == 3  # the listing, its latest version and its level: not the other 19 subjects'


def test_a_breaking_change_is_blocked_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = MemoryRegistry()
    base = cat(_many(), **_topics(_many()))
    apply(_plan(base, reg), reg)
    changed = _many(t05=avro({**V1, "fields": [{"name": "id", "type": "int"}]}))
    head = cat(changed, **_topics(changed))
    _, narrowed, _ = _compare(monkeypatch, head, base, reg)
    assert [e.action for e in narrowed.entries] == ["blocked"]


def _refs(customer: dict[str, Any], level: str | None = None) -> Catalog:
    return cat(
        {"orders.created-value": avro(ORDER), "shop.customer": avro(customer), **_many()},
        level=level,
        **{"orders.created": "orders.created-value", **_topics(_many())},
    )


def test_a_referenced_subjects_new_version_takes_its_referrers(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = MemoryRegistry()
    base = _refs(CUSTOMER)
    assert set(apply(_plan(base, reg), reg).values()) == {None}
    vip = {**CUSTOMER, "fields": [*CUSTOMER["fields"], {"name": "vip", "type": "boolean", "default": False}]}
    names, narrowed, _ = _compare(monkeypatch, _refs(vip), base, reg)
    assert names == ("orders.created-value", "shop.customer")  # the referrer follows the new version
    assert sorted(e.name for e in narrowed.entries if e.action == "update") == list(names)


def test_a_referrers_level_change_reads_what_it_references(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = MemoryRegistry()
    base = _refs(CUSTOMER)
    apply(_plan(base, reg), reg)
    head = _refs(CUSTOMER, level="FULL")  # the topics' subjects at FULL; shop.customer unchanged
    names, narrowed, _ = _compare(monkeypatch, head, base, reg)
    assert "shop.customer" in names
    assert not any(e.after and e.after.get("register") for e in narrowed.entries)  # nothing re-registered


def test_a_subject_removed_in_an_owned_prefix_is_deleted_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = MemoryRegistry()
    schemas = _many()
    base = cat(schemas, delete=True, **_topics(schemas))
    apply(_plan(base, reg), reg)
    del schemas["orders.t07-value"]
    head = cat(schemas, delete=True, **_topics(schemas))
    names, narrowed, _ = _compare(monkeypatch, head, base, reg, allow_delete=True)
    assert names == ("orders.t07-value",)
    assert [(e.name, e.action) for e in narrowed.entries] == [("orders.t07-value", "delete")]


def test_a_broken_schema_is_blocked_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = MemoryRegistry()
    base = cat(_many(), **_topics(_many()))
    apply(_plan(base, reg), reg)
    broken = _many(t02=avro({**V1, "fields": [{"name": "id", "type": "int", "default": "x"}]}))
    _, narrowed, _ = _compare(monkeypatch, cat(broken, **_topics(broken)), base, reg)
    assert [(e.name, e.action) for e in narrowed.entries] == [("orders.t02-value", "blocked")]


def test_related_follows_references_either_way_on_either_side() -> None:
    kind = SubjectKind()
    head = kind.desired(_refs(CUSTOMER), None)  # type: ignore[arg-type]
    assert kind.related({"orders.t01-value"}, head, {}) == {"orders.t01-value"}
    assert kind.related({"shop.customer"}, head, {}) == {"shop.customer", "orders.created-value"}
    assert kind.related({"orders.created-value"}, {}, head) == {"shop.customer", "orders.created-value"}
