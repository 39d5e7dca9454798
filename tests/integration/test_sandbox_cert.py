"""`kgov sandbox cert SERVICE` on the real sandbox: the certificate authenticates on the mTLS listener
as exactly User:SERVICE (a non-super user, refused without ACLs, let in by an ACL for that principal)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import KafkaError, Producer
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    NewTopic,
    ResourcePatternType,
    ResourceType,
)

from .conftest import sandbox_state_dir
from .kgovtest import admin, kgov, unique_service

TIMEOUT = 10.0


def _produce(config: dict[str, Any], topic: str) -> KafkaError | None:
    errors: list[KafkaError | None] = []
    producer = Producer({**config, "message.timeout.ms": 5000})
    producer.produce(topic, b"hello", on_delivery=lambda err, _msg: errors.append(err))
    producer.flush(8)
    assert len(errors) == 1, "no delivery report"
    return errors[0]


@pytest.fixture
def service_topic() -> Iterator[tuple[str, str]]:
    service = unique_service()
    topic = f"{service}.mtls"
    admin().create_topics([NewTopic(topic, 1, 1)])[topic].result(timeout=TIMEOUT)
    yield service, topic
    admin().delete_topics([topic])[topic].exception(timeout=TIMEOUT)
    acls = AclBindingFilter(
        ResourceType.ANY, None, ResourcePatternType.ANY, f"User:{service}", None, AclOperation.ANY,
        AclPermissionType.ANY,
    )  # fmt: skip
    admin().delete_acls([acls])[acls].exception(timeout=TIMEOUT)


def test_issued_certificate_authenticates_as_user_service(
    sandbox: dict[str, str], service_topic: tuple[str, str], tmp_path: Path
) -> None:
    service, topic = service_topic
    issued = kgov("sandbox", "cert", service, "--out", str(tmp_path), "--state-dir", str(sandbox_state_dir()))
    assert issued.code == 0, issued.output
    config = {
        "bootstrap.servers": sandbox["KGOV_BOOTSTRAP_MTLS"],
        "security.protocol": "SSL",
        "ssl.ca.location": sandbox["KGOV_CA_FILE"],
        "ssl.certificate.location": str(tmp_path / f"{service}.pem"),
        "ssl.key.location": str(tmp_path / f"{service}.key"),
    }

    # Authenticated (the TLS handshake passed), but not a super user: no ACL, no write.
    refused = _produce(config, topic)
    assert refused is not None and refused.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, refused

    # An ACL for exactly User:<service> lets it in: the broker saw that principal.
    grant = AclBinding(
        ResourceType.TOPIC, topic, ResourcePatternType.LITERAL, f"User:{service}", "*", AclOperation.WRITE,
        AclPermissionType.ALLOW,
    )  # fmt: skip
    admin().create_acls([grant])[grant].result(timeout=TIMEOUT)
    deadline = time.monotonic() + 20
    while (error := _produce(config, topic)) is not None:
        assert time.monotonic() < deadline, f"still refused after the ACL for User:{service}: {error}"
        time.sleep(0.5)
