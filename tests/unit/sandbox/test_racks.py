"""`kgov sandbox up --racks N`: broker k gets broker.rack r{(k-1) % N}; none by default (no Java needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgov.errors import SandboxError
from kgov.sandbox.nodes import kafka_nodes
from kgov.sandbox.render import parse_properties, render_server_properties
from kgov.sandbox.settings import Overrides, Settings, apply_overrides, from_json, to_json


def _racks(settings: Settings) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for node in kafka_nodes(settings):
        if not node.is_broker:
            continue
        text = render_server_properties(
            settings,
            data_dir=Path("/d"),
            keystore_file=Path("/k.p12"),
            keystore_password="pw",
            ca_file=Path("/ca.pem"),
            node=node,
        )
        assert "${" not in text
        out[node.name] = parse_properties(text).get("broker.rack")
    return out


def test_no_rack_by_default() -> None:
    assert _racks(Settings(brokers=3)) == {"broker-1": None, "broker-2": None, "broker-3": None}
    assert _racks(Settings()) == {"kafka": None}


def test_each_broker_gets_its_rack_round_robin() -> None:
    assert _racks(Settings(brokers=3, racks=3)) == {"broker-1": "r0", "broker-2": "r1", "broker-3": "r2"}
    assert _racks(Settings(brokers=5, racks=2)) == {
        "broker-1": "r0",
        "broker-2": "r1",
        "broker-3": "r0",
        "broker-4": "r1",
        "broker-5": "r0",
    }
    assert _racks(Settings(racks=1)) == {"kafka": "r0"}


@pytest.mark.parametrize("racks", [-1, 4])
def test_racks_out_of_range(racks: int) -> None:
    with pytest.raises(SandboxError, match=f"--racks {racks} is out of range"):
        apply_overrides(Settings(), Overrides(brokers=3, racks=racks))


def test_racks_are_remembered_and_older_settings_have_none() -> None:
    saved = apply_overrides(Settings(), Overrides(brokers=3, racks=3))
    again = apply_overrides(from_json(to_json(saved), Path("s.json")), Overrides())
    assert again.racks == 3
    older = json.loads(to_json(Settings(brokers=3)))
    del older["racks"]
    assert from_json(json.dumps(older), Path("s.json")).racks == 0
