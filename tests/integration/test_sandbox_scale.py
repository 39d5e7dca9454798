"""The sandbox at scale: the broker runs with its open-file limit raised to the hard limit, and the
capacity estimate `up` prints is computed from that running limit."""

from __future__ import annotations

import resource

from kgov.sandbox.api import Sandbox
from kgov.sandbox.capacity import BASE_FILES, FILES_PER_REPLICA

from .conftest import sandbox_state_dir


def test_broker_open_file_limit_is_the_hard_limit(sandbox: dict[str, str]) -> None:
    box = Sandbox(sandbox_state_dir())
    kafka = box.status().of("kafka")
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert kafka.open_file_limit == hard  # raised in the child before exec (spawn(raise_nofile=True))
    capacity = box.capacity()
    assert capacity is not None and capacity.open_file_limit == hard
    assert capacity.replicas_per_broker <= (hard - BASE_FILES) // FILES_PER_REPLICA
    assert capacity.partitions == capacity.replicas_per_broker  # one broker, replication factor 1
