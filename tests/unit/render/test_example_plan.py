"""The example catalog's plan, on an empty in-memory cluster: valid v2 JSON, and its text and
Markdown renderings drawn from that JSON name every entry."""

from __future__ import annotations

from pathlib import Path

from jsonschema import Draft202012Validator
from rich.console import Console

from kgov.catalog.load import load_catalog
from kgov.cluster.memory import MemoryCluster
from kgov.kinds.base import Backends
from kgov.plan.make import make_plan
from kgov.plan.planfile import schema
from kgov.render import plan_markdown, plan_text
from kgov.render.escape import md_code

EXAMPLE = Path(__file__).resolve().parents[3] / "catalog"


def test_example_plan_is_valid_v2_and_every_rendering_names_every_entry() -> None:
    catalog = load_catalog(EXAMPLE).catalog
    doc = make_plan(catalog, "local", Backends(kafka=MemoryCluster(brokers=1)), allow_delete=False).to_json()
    assert list(Draft202012Validator(schema()).iter_errors(doc)) == []
    names = [e["name"] for e in doc["resource_changes"]]
    assert len(names) == doc["summary"]["topic"]["managed"] >= 15
    console = Console(width=200, record=True, color_system=None)
    plan_text.render(doc, console)
    text = console.export_text()
    markdown = plan_markdown.render(doc)
    for name in names:
        assert f"+ topic {name}" in text
        assert md_code(name) in markdown
    assert f"Plan: {len(names)} to create, 0 to change, 0 to delete." in text
