"""The in-memory registry twin behaves like the sandbox's Apicurio where kgov depends on it."""

from __future__ import annotations

import pytest

from kgov.cluster.memory.registry import MemoryRegistry
from kgov.cluster.registry.port import NewSchema, RegistryError
from kgov.errors import ClusterError

V1 = '{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}'
V2 = '{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]}'
BAD = '{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"c","type":"int"}]}'


def test_versions_levels_and_soft_delete() -> None:
    reg = MemoryRegistry()
    assert reg.register(NewSchema("s", "AVRO", V1)).version == 1
    assert reg.register(NewSchema("s", "AVRO", V1)).version == 1  # same schema: same version
    assert reg.register(NewSchema("s", "AVRO", V2)).version == 2
    assert reg.levels(["s", "other"]) == {"s": "BACKWARD", "other": "BACKWARD"}
    reg.set_level("s", "FULL")
    assert reg.levels(["s"]) == {"s": "FULL"}
    assert [v.version for v in reg.versions(["s"])["s"]] == [1, 2]
    reg.delete_subject("s")
    assert reg.subjects() == [] and reg.latest(["s"]) == {"s": None}


def test_incompatible_registration_and_level_before_subject_are_refused() -> None:
    reg = MemoryRegistry()
    reg.register(NewSchema("s", "AVRO", V1))
    assert not reg.is_compatible(NewSchema("s", "AVRO", BAD), "BACKWARD")
    assert reg.is_compatible(NewSchema("s", "AVRO", BAD), "FORWARD")
    with pytest.raises(RegistryError) as err:
        reg.register(NewSchema("s", "AVRO", BAD))
    assert err.value.incompatible
    with pytest.raises(RegistryError) as err:
        reg.set_level("new", "FULL")
    assert err.value.status == 404


def test_down_registry_is_unreachable() -> None:
    reg = MemoryRegistry()
    reg.down = True
    with pytest.raises(ClusterError) as err:
        reg.subjects()
    assert "unreachable" in err.value.message
