"""Helpers for the access integration tests: kgov's own cluster port over SASL as the sandbox admin."""

from __future__ import annotations

import os

from kgov.cluster.connect import KafkaSettings
from kgov.cluster.kafka import KafkaCluster


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
