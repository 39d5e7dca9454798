"""A replication throttle left behind in `kgov audit` (kgov/kinds/replicas/leftover_audit.py), on
the twin: `throttle-left` for a catalog topic carrying leader/follower.replication.throttled.replicas
with none of its partitions moving, `throttle-rate-left` for a broker carrying a throttle rate with
nothing moving on the cluster; each says what `kgov apply` would do (remove it, a throttle set on
purpose too; leave it to the topic kind; remove it at the end of the plan's reassignment; not at all
while kgov lacks ALTER_CONFIGS), in the JSON, Markdown and HTML, escaped; no request is added."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kgov.audit.build import audit_cluster
from kgov.catalog.model import Catalog
from kgov.cluster.kafka.replica_port import BROKER_THROTTLES, TOPIC_THROTTLES
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.cluster.memory.replicas import MemoryReplicas
from kgov.kinds import KINDS
from kgov.kinds.base import Backends
from kgov.kinds.replicas import ReplicaKind
from kgov.kinds.replicas.leftover_audit import OWNED
from kgov.render import audit_html, audit_markdown
from tests.unit.plan.helpers import ENV, catalog, topic

KIND = ReplicaKind()
NAME = "orders.created"
LEFT = {TOPIC_THROTTLES[0]: "0:1,1:1", TOPIC_THROTTLES[1]: "0:2,1:2"}
RATES = {k: "10485760" for k in BROKER_THROTTLES}
EITHER = "left by a reassignment that has ended, or set on purpose: kgov cannot tell them apart"


def _port(name: str = NAME, rates: bool = True) -> MemoryReplicas:
    port = MemoryReplicas(3)
    port.add_topic(name, [[1], [1]])
    port.add_topic("stranger.topic", [[2]])  # not in the catalog: its throttle is not read
    port.topic_config[name] = dict(LEFT)
    port.topic_config["stranger.topic"] = dict(LEFT)
    if rates:
        for b in (1, 2, 3):
            port.broker_config[b] = dict(RATES)
    return port


def _audit(port: MemoryReplicas, rf: int = 1, name: str = NAME, cat: Catalog | None = None) -> dict[str, Any]:
    cat = cat or catalog(topic(name, partitions=2, rf=rf))
    return audit_cluster(cat, ENV, Backends(reassign=port), kinds=(KIND,)).to_json()


def _found(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(v["rule"], v["name"], v["severity"]) for v in doc["violations"] if v["kind"] == "replicas"]


def _finding(doc: dict[str, Any], rule: str, name: str = NAME) -> dict[str, Any]:
    (found,) = [v for v in doc["violations"] if v["rule"] == rule and v["name"] == name]
    return dict(found)


def test_a_throttle_left_on_a_catalog_topic_and_the_brokers_is_a_warning_saying_apply_removes_it() -> None:
    doc = _audit(_port())
    assert _found(doc) == [
        ("throttle-left", NAME, "warning"),
        ("throttle-rate-left", "broker:1", "warning"),
        ("throttle-rate-left", "broker:2", "warning"),
        ("throttle-rate-left", "broker:3", "warning"),
    ]
    topic_finding = _finding(doc, "throttle-left")
    assert topic_finding["message"] == (
        f"replication throttle {TOPIC_THROTTLES[1]}=0:2,1:2, {TOPIC_THROTTLES[0]}=0:1,1:1 with no "
        f"partition of the topic moving ({EITHER}): `kgov apply` removes it (a throttle set on purpose too)"
    )
    assert "take them out of ownership.ignore_configs" in topic_finding["hint"]
    rate = _finding(doc, "throttle-rate-left", "broker:2")["message"]
    assert rate.startswith(f"replication throttle rate {BROKER_THROTTLES[1]}=10485760, ")
    assert "`kgov apply` removes it if no partition moves then either (a rate set on purpose too)" in rate
    # the plan's drift lists the same removals
    assert [e["address"] for e in doc["drift"]] == [
        "replicas.broker:1",
        "replicas.broker:2",
        "replicas.broker:3",
        f"replicas.{NAME}",
    ]


def test_a_topic_still_moving_keeps_its_throttle_and_is_no_leftover() -> None:
    port = _port()
    port.alter_partition_reassignments({(NAME, 0): [2]})
    doc = _audit(port)
    assert _found(doc) == [("reassignment-in-progress", NAME, "info")]  # rates: not read while moving


def test_without_the_right_the_finding_says_apply_cannot_remove_it() -> None:
    port = _port()
    port.topic_denied[NAME] = {"ALTER_CONFIGS"}
    port.cluster_rights.discard("ALTER_CONFIGS")
    doc = _audit(port)
    found = _finding(doc, "throttle-left")
    assert (
        "`kgov apply` cannot remove it, kgov's principal lacks ALTER_CONFIGS on topic orders.created"
        in (found["message"])
    )
    assert found["hint"].startswith("grant kgov's principal ALTER_CONFIGS on topic orders.created, ")
    assert "--entity-type topics --entity-name orders.created --alter --delete-config" in found["hint"]
    rate = _finding(doc, "throttle-rate-left", "broker:3")
    assert "cannot remove it, kgov's principal lacks ALTER_CONFIGS on the cluster" in rate["message"]
    assert "--entity-type brokers --entity-name 3 --alter" in rate["hint"]
    assert doc["drift"] == []  # the plan warns instead of planning what kgov may not do


def test_a_factor_change_removes_it_at_the_end_of_its_reassignment() -> None:
    doc = _audit(_port(), rf=2)
    assert (
        "the plan's reassignment of this topic (its replication_factor differs) removes it at its end"
        in (_finding(doc, "throttle-left")["message"])
    )
    assert (
        "the plan's replication-factor change (1 topic(s)) sets the rate again"
        in (_finding(doc, "throttle-rate-left", "broker:1")["message"])
    )


def test_keys_the_topic_kind_owns_are_said_to_be_its() -> None:
    cat = catalog(topic(NAME, partitions=2, rf=1))
    own = replace(cat.settings.ownership, ignore_configs=("leader.*",))
    cat = replace(cat, settings=replace(cat.settings, ownership=own))
    message = _finding(_audit(_port(rates=False), cat=cat), "throttle-left")["message"]
    assert "`kgov apply` removes it" in message  # leader.*: ignored, so the replica kind's
    assert message.endswith(
        f"; {TOPIC_THROTTLES[1]}: the topic kind's (not in ownership.ignore_configs), compared with the "
        "catalog's config like any key"
    )
    none = replace(own, ignore_configs=("confluent.*",))
    cat = replace(cat, settings=replace(cat.settings, ownership=none))
    found = _finding(_audit(_port(rates=False), cat=cat), "throttle-left")
    assert "removes" not in found["message"] and found["message"].endswith("like any key")
    assert found["hint"] == OWNED


def test_no_throttle_no_finding_and_no_extra_request() -> None:
    port = MemoryReplicas(3)
    port.add_topic(NAME, [[1], [1]])
    port.requests.clear()
    assert _found(_audit(port)) == []
    assert "describe_topics" not in port.requests  # no rights read without a throttle


def test_the_findings_reach_json_markdown_and_html_escaped_and_shortened() -> None:
    """A name and a value with odd characters (the twin takes what Kafka would refuse) escaped by the
    renderers; a long throttled-replicas list shortened."""
    odd = "legacy|x<b>&`"
    port = _port(odd, rates=False)
    port.topic_config[odd][TOPIC_THROTTLES[0]] = "<i>*</i>|`" + ",".join(f"{p}:1" for p in range(200))
    kafka = MemoryCluster()
    kafka.add_topic(odd, 2, 1)
    cat = catalog(topic(odd, partitions=2, rf=1))
    doc = audit_cluster(cat, ENV, Backends(kafka=kafka, reassign=port), kinds=KINDS).to_json()
    found = _finding(doc, "throttle-left", odd)
    assert "... (200 entries)" in found["message"] and len(found["message"]) < 600
    markdown = audit_markdown.render(doc)
    assert "| throttle\\-left | <code>legacy\\|x&lt;b&gt;&amp;\\`</code> |" in markdown
    assert "<i>" not in markdown and "x<b>" not in markdown
    page = audit_html.render(doc)
    assert "<td>throttle-left<td>legacy|x&lt;b&gt;&amp;`<td>replication throttle " in page
    assert "&lt;i&gt;*&lt;/i&gt;" in page and "<i>" not in page and "x<b>" not in page


def test_a_blocked_factor_change_neither_removes_nor_sets_a_throttle() -> None:
    """5 replicas on 3 live brokers: the plan blocks the change, so no reassignment runs. The topic's
    throttle stays (the plan has no entry that removes it) and the brokers' rates are the plan's
    to remove; the findings say so, not "the plan's reassignment removes it"."""
    doc = _audit(_port(), rf=5)
    topic_message = _finding(doc, "throttle-left")["message"]
    assert "`kgov apply` leaves it while the plan's replication_factor change of this topic is blocked (" in (
        topic_message
    )
    assert "removes it at its end" not in topic_message
    rate = _finding(doc, "throttle-rate-left", "broker:1")["message"]
    assert "`kgov apply` removes it if no partition moves then either" in rate
    assert "sets the rate again" not in rate
    assert [e["address"] for e in doc["drift"]] == [
        "replicas.broker:1",
        "replicas.broker:2",
        "replicas.broker:3",
        f"replicas.{NAME}",
    ]
