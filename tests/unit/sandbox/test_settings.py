"""Settings: overrides, validation, the JSON kept in the state folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgov.errors import SandboxError
from kgov.sandbox.settings import (
    Overrides,
    Ports,
    Settings,
    apply_overrides,
    from_json,
    heap_mib,
    to_json,
    validate,
)


def test_overrides_replace_only_what_is_given() -> None:
    base = Settings(kafka_heap="384m")
    merged = apply_overrides(base, Overrides(kafka_version="4.1.2", ports={"sasl": 19094}))
    assert merged.kafka_version == "4.1.2"
    assert merged.kafka_heap == "384m"
    assert merged.ports == Ports(sasl=19094)
    assert apply_overrides(base, Overrides()) == base


def test_json_round_trip() -> None:
    settings = Settings(registry_heap="320m", ports=Ports(registry=18081))
    assert from_json(to_json(settings), Path("sandbox.json")) == settings


def test_unreadable_json_is_a_sandbox_error() -> None:
    with pytest.raises(SandboxError, match="cannot read the sandbox settings"):
        from_json('{"ports": {"nope": 1}}', Path("sandbox.json"))


@pytest.mark.parametrize(
    ("over", "message"),
    [
        (Overrides(kafka_heap="lots"), "invalid heap size"),
        (Overrides(registry_heap="0m"), "invalid heap size"),
        (Overrides(kafka_heap="64m"), "too small"),
        (Overrides(controller_heap="1 g"), "invalid heap size"),
        (Overrides(controller_heap="96m"), "too small"),
        (Overrides(kafka_version="3.9.0"), "not supported"),
        (Overrides(registry_version="latest"), "invalid version"),
        (Overrides(ports={"plaintext": 9094}), "port 9094 is given twice: --plaintext-port and --sasl-port"),
        (Overrides(ports={"registry": 70000}), r"port 70000 \(--registry-port\) is out of range"),
    ],
)
def test_bad_settings_are_refused(over: Overrides, message: str) -> None:
    with pytest.raises(SandboxError, match=message):
        apply_overrides(Settings(), over)


def test_defaults_are_valid() -> None:
    validate(Settings())


def test_heap_sizes() -> None:
    assert heap_mib("512m") == 512
    assert heap_mib("1G") == 1024


def test_jit_mode_is_remembered_and_checked() -> None:
    from kgov.sandbox.settings import Overrides, apply_overrides, from_json, to_json

    full = apply_overrides(Settings(), Overrides(kafka_jit="full"))
    assert full.kafka_jit == "full"
    assert apply_overrides(full, Overrides()).kafka_jit == "full"  # as saved, when not given again
    assert from_json(to_json(full), Path("settings.json")) == full
    with pytest.raises(SandboxError) as bad:
        apply_overrides(Settings(), Overrides(kafka_jit="fast"))
    assert "invalid JIT mode 'fast'" in bad.value.message


def test_a_file_saved_before_the_controller_heap_option_reads_with_the_default() -> None:
    doc = json.loads(to_json(Settings(brokers=3, controller_heap="1g")))
    del doc["controller_heap"]
    assert from_json(json.dumps(doc), Path("sandbox.json")) == Settings(brokers=3)
    assert from_json(to_json(Settings(controller_heap="1g")), Path("s.json")).controller_heap == "1g"
