"""The example catalog's plan, on an empty in-memory cluster: valid v2 JSON, and its text and
Markdown renderings drawn from that JSON name every entry."""

from __future__ import annotations

from pathlib import Path

from jsonschema import Draft202012Validator
from rich.console import Console

from kgov.catalog.load import load_catalog
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.engine.make import make_plan
from kgov.kinds.base import Backends
from kgov.plan.planfile import schema
from kgov.render import plan_markdown, plan_text
from kgov.render.escape import md_code, md_text

EXAMPLE = Path(__file__).resolve().parents[3] / "catalog"


def test_example_plan_is_valid_v2_and_every_rendering_names_every_entry() -> None:
    catalog = load_catalog(EXAMPLE).catalog
    doc = make_plan(catalog, "local", Backends(kafka=MemoryCluster(brokers=1)), allow_delete=False).to_json()
    assert list(Draft202012Validator(schema()).iter_errors(doc)) == []
    changes = doc["resource_changes"]
    names = [e["name"] for e in changes]
    assert len(names) == sum(s["managed"] for s in doc["summary"].values())
    assert doc["summary"]["topic"]["managed"] >= 15 and doc["summary"]["acl"]["managed"] >= 70
    console = Console(width=200, record=True, color_system=None)
    plan_text.render(doc, console)
    text = console.export_text()
    markdown = plan_markdown.render(doc)
    symbol = {"create": "+", "update": "~"}  # the cluster file's broker default is an update
    for e in changes:
        shown = e["label"] or e["name"]
        assert f"{symbol[e['action']]} {e['kind']} {shown}" in text
        assert (md_text(shown) if e["group"] else md_code(shown)) in markdown  # grouped: one list line each
    updates = sum(e["action"] == "update" for e in changes)
    assert f"Plan: {len(names) - updates} to create, {updates} to change, 0 to delete." in text
