"""Helpers for the access integration tests: kgov's own cluster port over SASL as the sandbox admin."""

from __future__ import annotations

import os
import time

from kgov.bindings import Binding
from kgov.cluster.kafka.access_port import ScramCredential
from kgov.cluster.kafka.adapter.admin import KafkaCluster
from kgov.cluster.kafka.client_settings import KafkaSettings


def admin_settings() -> KafkaSettings:
    conf = {
        "bootstrap.servers": os.environ["KGOV_BOOTSTRAP_SASL"],
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": os.environ["KGOV_USERNAME"],
        "sasl.password": os.environ["KGOV_PASSWORD"],
    }
    return KafkaSettings(conf["bootstrap.servers"], 20.0, conf)


def admin_cluster() -> KafkaCluster:
    return KafkaCluster(admin_settings())


def bindings_of(cluster: KafkaCluster, svc: str, expected: set[Binding]) -> set[Binding]:
    """The service's bindings once they equal `expected`, or as last seen after 15 s: the broker
    serves DescribeAcls from its metadata, which trails the controller's acknowledgement."""
    deadline = time.monotonic() + 15
    while True:
        mine = {b for b in cluster.describe_acls() if svc in b.principal}
        if mine == expected or time.monotonic() > deadline:
            return mine
        time.sleep(0.2)


def scram_of(cluster: KafkaCluster, user: str, expected: list[ScramCredential]) -> bool:
    """Whether the user's credentials become `expected` within 15 s (the broker's view trails)."""
    deadline = time.monotonic() + 15
    while cluster.describe_scram().get(user, []) != expected:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def topics_listed(cluster: KafkaCluster, names: set[str]) -> bool:
    """Whether the broker's metadata lists the topics within 30 s (it trails their creation)."""
    deadline = time.monotonic() + 30
    while not names <= {t.name for t in cluster.list_topics().topics}:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True
