"""Derivation as data: each case of derive_cases.yaml is an ACL file and the exact bindings it yields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kgov.bindings import Binding
from kgov.catalog.grants import bindings_for, desired_bindings, principal_for
from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog

CASES = yaml.safe_load(Path(__file__).with_name("derive_cases.yaml").read_text("utf-8"))["cases"]
SETTINGS = (
    "version: 1\nenvironments:\n  local: {kafka: {bootstrap_servers: x:1}}\n"
    "  stg: {kafka: {bootstrap_servers: y:1}}\n"
)


def catalog_of(tmp: Path, acls: dict[str, str]) -> Catalog:
    (tmp / "acls").mkdir(parents=True, exist_ok=True)
    (tmp / "kgov.yaml").write_text(SETTINGS, "utf-8")
    for service, text in acls.items():
        (tmp / "acls" / f"{service}.yaml").write_text(text, "utf-8")
    loaded = load_catalog(tmp)
    assert [d.message for d in loaded.diagnostics] == []
    return loaded.catalog


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_derivation(case: dict[str, Any], tmp_path: Path) -> None:
    catalog = catalog_of(tmp_path, {"orders": case["acl"]})
    got = bindings_for(catalog.access_files[0], case.get("env", "local"))
    assert sorted(b.label for b in got) == case["bindings"]


def test_two_files_of_one_principal_are_merged(tmp_path: Path) -> None:
    catalog = catalog_of(
        tmp_path,
        {
            "orders": "service: orders\nprincipal: User:orders\nproduces: [orders.a]\n",
            "audit": "service: audit\nprincipal: User:orders\nconsumer_groups: [g]\n",
        },
    )
    got = desired_bindings(catalog, "local")
    assert list(got) == ["User:orders"]
    assert len(got["User:orders"]) == 3
    assert principal_for(catalog.access_files[0], "prod") == "User:orders"


def test_binding_address_and_json_round_trip() -> None:
    b = Binding("User:orders", "topic", "literal", "orders.created", "WRITE")
    assert b.address == "acl.User:orders.topic.literal.orders.created.WRITE.allow.*"
    assert Binding.from_json(b.to_json()) == b
