"""`kgov sandbox up` names the per-broker figure to put in kgov.yaml when its open-file limit leaves room
for fewer partition replicas than kgov plan's default limit (docs/capacity.md)."""

from __future__ import annotations

from kgov.sandbox.capacity import estimate
from kgov.sandbox.commands import _capacity_line


def test_a_low_open_file_limit_names_the_setting_for_kgov_yaml() -> None:
    low = _capacity_line(estimate(2_024, None, brokers=3, replication_factor=3))
    assert "Room for about 1,024 partitions" in low
    assert "set policy.capacity.max_partitions_per_broker: 1024 in kgov.yaml" in low
    high = _capacity_line(estimate(20_000, None, brokers=3, replication_factor=3))
    assert "max_partitions_per_broker" not in high
