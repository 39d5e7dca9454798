"""One structural error hides only the node it is in, never a whole file's other problems."""

from __future__ import annotations

import shutil
from pathlib import Path

from kgov.catalog.load import load_catalog
from kgov.policy import lint

REPO = Path(__file__).resolve().parents[3]


def _catalog(tmp_path: Path, orders: str) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", root)
    (root / "topics" / "orders.yaml").write_text(orders)
    return root


ORDERS = """service: orders
owner: team-orders
topics:
  - name: orders.created
    description: An order was placed.
    partitions: six
    replication_factor: 3
    config: {min.insync.replicas: 2}
    key_schema: orders.created-key
    value_schema: orders.created-value
  - name: orders.cancelled
    description: An order was cancelled.
    partitions: 500
    replication_factor: 3
    config: {min.insync.replicas: 2}
    value_schema: orders.cancelled-value
  - name: orders.state
    description: Latest state of each order.
    partitions: 6
    replication_factor: 3
    config: {cleanup.policy: compact, min.insync.replicas: 2}
    key_schema: orders.state-key
    value_schema: {subject: orders.state-value, compatibility: FULL}
"""


def test_a_broken_topic_is_left_out_alone_and_its_names_count_as_known(tmp_path: Path) -> None:
    loaded = load_catalog(_catalog(tmp_path, ORDERS))
    orders = next(f for f in loaded.catalog.topic_files if f.service == "orders")
    assert [t.name for t in orders.topics] == ["orders.cancelled", "orders.state"]
    assert loaded.catalog.skipped_topics == {"orders.created"}
    assert loaded.catalog.skipped_subjects == {"orders.created-key", "orders.created-value"}
    rules = sorted({d.rule for d in lint(loaded)})
    # the type error and the sibling topic's own problem; no unknown-topic or unused-schema noise
    assert rules == ["partitions-bounds", "structure"]


def test_an_unknown_field_is_reported_and_breaks_nothing(tmp_path: Path) -> None:
    loaded = load_catalog(_catalog(tmp_path, ORDERS.replace("owner: team-orders", "ownr: team-orders")))
    diagnostics = lint(loaded)
    assert any(d.rule == "structure" and "did you mean 'owner'" in d.message for d in diagnostics)
    orders = next(f for f in loaded.catalog.topic_files if f.service == "orders")
    assert len(orders.topics) == 2  # the file still counts, minus the broken topic


def test_a_file_whose_own_fields_are_broken_is_left_out_but_its_topic_names_are_known(tmp_path: Path) -> None:
    loaded = load_catalog(_catalog(tmp_path, ORDERS.replace("service: orders", "service: 12")))
    assert all(f.service != "orders" for f in loaded.catalog.topic_files)
    assert {"orders.created", "orders.cancelled", "orders.state"} <= loaded.catalog.skipped_topics
    assert not any(d.rule == "unknown-topic-reference" for d in lint(loaded))
