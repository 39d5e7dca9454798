"""Lint with schema references: an Avro type from another subject parses; cycles and misses are errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from kgov.cli import app

EXAMPLE = Path(__file__).resolve().parents[3] / "catalog"
CUSTOMER = {
    "type": "record",
    "name": "Customer",
    "namespace": "shop.events",
    "fields": [{"name": "id", "type": "long"}],
}


def lint(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["lint", str(root), "--format", "json"])
    return result.exit_code, result.stdout


def test_avro_reference_to_another_subject_is_clean(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    created = root / "schemas" / "orders.created-value.avsc"
    doc = json.loads(created.read_text())
    doc["fields"].append({"name": "customer", "type": ["null", "Customer"], "default": None})
    created.write_text(json.dumps(doc, indent=2))
    code, out = lint(root)
    assert code == 1 and "Customer" in out  # not defined anywhere yet: invalid-schema
    (root / "schemas" / "orders.customer-value.avsc").write_text(json.dumps(CUSTOMER))
    code, out = lint(root)
    assert code == 0, out
    assert "orders.customer-value" not in out  # referenced, so not an unused schema


def test_json_reference_cycle_is_reported_with_its_line(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    (root / "schemas" / "users.a-value.json").write_text(
        '{"properties": {\n  "b": {"$ref": "users.b-value.json"}}}'
    )
    (root / "schemas" / "users.b-value.json").write_text(
        '{"properties": {"a": {"$ref": "users.a-value.json"}}}'
    )
    code, out = lint(root)
    found = [d for d in json.loads(out)["diagnostics"] if d["rule"] == "schema-references"]
    assert code == 1
    assert [(Path(d["file"]).name, d["line"]) for d in found] == [("users.a-value.json", 2)]
    assert "reference cycle: users.a-value -> users.b-value -> users.a-value" in found[0]["message"]
