"""The subject kind against the in-memory registry: plan, apply, converge, block, references, deletes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from kgov.catalog.model import Catalog, SchemaFile, SchemaRef
from kgov.cluster.memory.registry import MemoryRegistry
from kgov.cluster.registry.port import NewSchema
from kgov.engine.apply import apply_plan
from kgov.engine.make import make_plan
from kgov.errors import ClusterError
from kgov.kinds.base import Backends
from kgov.kinds.subjects import SubjectKind
from kgov.plan.model import Plan
from tests.unit.plan.helpers import ENV, catalog, topic

KINDS = (SubjectKind(),)
V1 = {
    "type": "record",
    "name": "Created",
    "namespace": "orders",
    "fields": [{"name": "id", "type": "string"}],
}


def avro(doc: object) -> str:
    return json.dumps(doc, indent=2)


def with_field(**field: object) -> dict[str, object]:
    return {**V1, "fields": [*V1["fields"], field]}  # type: ignore[list-item]


def cat(schemas: dict[str, str], *, level: str | None = None, delete: bool = False, **topics: str) -> Catalog:
    """Topic name -> value subject; each subject's file text in `schemas`."""
    names = topics or {"orders.created": "orders.created-value"}
    base = catalog(*[topic(t) for t in names], delete=delete)
    files = tuple(
        replace(f, topics=tuple(replace(t, value_schema=SchemaRef(names[t.name], level)) for t in f.topics))
        for f in base.topic_files
    )
    fmt = {".avsc": "avro", ".json": "json"}
    sf = {
        s.rsplit(".", 1)[0] if s.endswith((".avsc", ".json")) else s: SchemaFile(
            s.rsplit(".", 1)[0] if s.endswith((".avsc", ".json")) else s,
            fmt.get(Path(s).suffix, "avro"),
            f"schemas/{s if Path(s).suffix else s + '.avsc'}",
            text,
        )
        for s, text in schemas.items()
    }
    return replace(base, topic_files=files, schemas=sf)


def plan(c: Catalog, reg: MemoryRegistry, allow_delete: bool = False) -> Plan:
    return make_plan(c, ENV, Backends(registry=reg), allow_delete=allow_delete, kinds=KINDS)


def apply(p: Plan, reg: MemoryRegistry) -> dict[str, str | None]:
    return {r.entry.address: r.error for r in apply_plan(p, Backends(registry=reg), KINDS)}


def test_register_then_converge_and_whitespace_or_doc_is_no_change() -> None:
    reg = MemoryRegistry()
    c = cat({"orders.created-value": avro(V1)}, level="FULL")
    first = plan(c, reg)
    assert [(e.address, e.action) for e in first.entries] == [("subject.orders.created-value", "create")]
    assert apply(first, reg) == {"subject.orders.created-value": None}
    assert reg.levels(["orders.created-value"]) == {"orders.created-value": "FULL"}
    assert reg.calls.index("register") < reg.calls.index("set_level")
    assert plan(c, reg).entries == ()
    reworded = json.dumps({**V1, "doc": "Created.", "fields": [{"type": "string", "name": "id"}]})
    assert plan(cat({"orders.created-value": reworded}, level="FULL"), reg).entries == ()


def test_compatible_change_is_a_new_version() -> None:
    reg = MemoryRegistry()
    apply(plan(cat({"orders.created-value": avro(V1)}), reg), reg)
    p = plan(cat({"orders.created-value": avro(with_field(name="note", type="string", default=""))}), reg)
    (entry,) = p.entries
    assert entry.action == "update" and entry.changes[0].detail == "register"
    assert apply(p, reg) == {entry.address: None}
    assert reg.latest(["orders.created-value"])["orders.created-value"].version == 2  # type: ignore[union-attr]


def test_incompatible_change_is_blocked_with_each_reason() -> None:
    reg = MemoryRegistry()
    apply(plan(cat({"orders.created-value": avro(V1)}), reg), reg)
    new = {**V1, "fields": [{"name": "id", "type": "int"}, {"name": "note", "type": "string"}]}
    (entry,) = plan(cat({"orders.created-value": avro(new)}), reg).entries
    assert entry.action == "blocked"
    assert entry.reason is not None and "2 breaking changes" in entry.reason
    rows = {(c.field, c.before, c.blocked) for c in entry.changes if c.blocked}
    assert rows == {("Created.id", "version 1", True), ("Created.note", "version 1", True)}
    assert "Created.note: field of new has no default and is missing in old" in entry.reason


def test_transitive_level_checks_every_version() -> None:
    reg = MemoryRegistry(global_level="NONE")
    reg.register(NewSchema("orders.created-value", "AVRO", avro(V1)))
    v2 = {
        **V1,
        "fields": [
            {"name": "id", "type": "string", "default": ""},
            {"name": "n", "type": "int", "default": 0},
        ],
    }
    reg.register(NewSchema("orders.created-value", "AVRO", avro(v2)))
    no_id = {
        **V1,
        "fields": [{"name": "n", "type": "int", "default": 0}, {"name": "id2", "type": "int", "default": 1}],
    }
    assert (
        plan(cat({"orders.created-value": avro(no_id)}, level="FORWARD"), reg).entries[0].action == "update"
    )
    (entry,) = plan(cat({"orders.created-value": avro(no_id)}, level="FORWARD_TRANSITIVE"), reg).entries
    assert entry.action == "blocked" and "old = version 1" in (entry.reason or "")


def test_level_change_only() -> None:
    reg = MemoryRegistry()
    apply(plan(cat({"orders.created-value": avro(V1)}), reg), reg)
    (entry,) = plan(cat({"orders.created-value": avro(V1)}, level="NONE"), reg).entries
    assert entry.action == "update" and [c.field for c in entry.changes] == ["compatibility"]
    reg.calls.clear()
    assert apply(plan(cat({"orders.created-value": avro(V1)}, level="NONE"), reg), reg)[entry.address] is None
    assert "register" not in reg.calls and "set_level" in reg.calls


def test_references_registered_in_dependency_order() -> None:
    reg = MemoryRegistry()
    customer = {
        "type": "record",
        "name": "Customer",
        "namespace": "shop",
        "fields": [{"name": "cid", "type": "long"}],
    }
    order = {
        "type": "record",
        "name": "Created",
        "namespace": "orders",
        "fields": [{"name": "customer", "type": "shop.Customer"}],
    }
    c = cat({"orders.created-value": avro(order), "shop.customer": avro(customer)})
    p = plan(c, reg)
    assert {e.name for e in p.entries} == {"orders.created-value", "shop.customer"}
    assert set(apply(p, reg).values()) == {None}
    registered = reg.latest(["orders.created-value"])["orders.created-value"]
    assert registered is not None and [(r.name, r.subject, r.version) for r in registered.references] == [
        ("shop.Customer", "shop.customer", 1)
    ]
    assert plan(c, reg).entries == ()
    # a new version of the referenced subject makes the referring one follow it
    customer2 = {
        **customer,
        "fields": [*customer["fields"], {"name": "vip", "type": "boolean", "default": False}],
    }
    p2 = plan(cat({"orders.created-value": avro(order), "shop.customer": avro(customer2)}), reg)
    assert sorted(e.name for e in p2.entries) == ["orders.created-value", "shop.customer"]
    assert set(apply(p2, reg).values()) == {None}
    assert (
        plan(cat({"orders.created-value": avro(order), "shop.customer": avro(customer2)}), reg).entries == ()
    )


def test_unmanaged_untouched_and_delete_needs_opt_in() -> None:
    reg = MemoryRegistry()
    reg.register(NewSchema("billing.other-value", "AVRO", '"string"'))
    reg.register(NewSchema("orders.old-value", "AVRO", '"string"'))
    c = cat({"orders.created-value": avro(V1)})
    p = plan(c, reg)
    assert [e.name for e in p.entries] == ["orders.created-value"]
    assert any("orders.old-value" in w and "deletes are off" in w for w in p.warnings)
    p = plan(cat({"orders.created-value": avro(V1)}, delete=True), reg, allow_delete=True)
    assert [(e.name, e.action) for e in p.entries] == [
        ("orders.created-value", "create"),
        ("orders.old-value", "delete"),
    ]
    apply(p, reg)
    assert reg.subjects() == ["billing.other-value", "orders.created-value"]


def test_bad_schema_and_missing_file_are_blocked() -> None:
    reg = MemoryRegistry()
    bad = avro({**V1, "fields": [{"name": "id", "type": "int", "default": "x"}]})
    (entry,) = plan(cat({"orders.created-value": bad}), reg).entries
    # kgov's part of the reason (what follows is the Avro library's own wording)
    assert entry.action == "blocked" and "orders.created-value: invalid Avro schema: " in (entry.reason or "")
    (entry,) = plan(cat({}), reg).entries
    assert entry.action == "blocked" and "no schema file" in (entry.reason or "")


def test_json_schema_subject() -> None:
    reg = MemoryRegistry()
    doc = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "additionalProperties": False,
    }
    c = cat({"orders.created-value.json": json.dumps(doc)})
    assert apply(plan(c, reg), reg) == {"subject.orders.created-value": None}
    assert reg.latest(["orders.created-value"])["orders.created-value"].schema_type == "JSON"  # type: ignore[union-attr]
    closed_removed = {**doc, "properties": {}}
    (entry,) = plan(cat({"orders.created-value.json": json.dumps(closed_removed)}), reg).entries
    assert entry.action == "blocked" and "closed content model" in (entry.reason or "")


def test_registry_down_is_a_clear_error() -> None:
    reg = MemoryRegistry()
    reg.down = True
    with pytest.raises(ClusterError) as err:
        plan(cat({"orders.created-value": avro(V1)}), reg)
    assert "unreachable" in err.value.message


def test_registry_down_mid_apply_fails_each_entry_then_rerun_converges() -> None:
    reg = MemoryRegistry()
    c = cat(
        {"orders.created-value": avro(V1), "orders.state-value": avro({**V1, "name": "State"})},
        **{"orders.created": "orders.created-value", "orders.state": "orders.state-value"},
    )
    p = plan(c, reg)
    reg.down = True
    results = apply(p, reg)
    assert all(err is not None and "unreachable" in err for err in results.values())
    reg.down = False
    assert set(apply(plan(c, reg), reg).values()) == {None}
    assert plan(c, reg).entries == ()
