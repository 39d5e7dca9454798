"""Real Kafka clients acting as a service (SCRAM or mTLS), each step bounded in time.

Each function returns None when Kafka allowed the step, else the error name Kafka gave
(e.g. TOPIC_AUTHORIZATION_FAILED), so tests assert exactly what was allowed and what denied.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

STEP_TIMEOUT = 15.0
QUIET = logging.getLogger("tests.clients")
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False


def scram(user: str, password: str, mechanism: str = "SCRAM-SHA-512") -> dict[str, Any]:
    return {
        "logger": QUIET,
        "bootstrap.servers": os.environ["KGOV_BOOTSTRAP_SASL"],
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": mechanism,
        "sasl.username": user,
        "sasl.password": password,
    }


def mtls(cert: Path, key: Path) -> dict[str, Any]:
    return {
        "logger": QUIET,
        "bootstrap.servers": os.environ["KGOV_BOOTSTRAP_MTLS"],
        "security.protocol": "SSL",
        "ssl.ca.location": os.environ["KGOV_CA_FILE"],
        "ssl.certificate.location": str(cert),
        "ssl.key.location": str(key),
    }


def client_cert(cn: str, folder: Path) -> tuple[Path, Path]:
    """A client certificate with subject CN=<cn>,OU=services signed by the sandbox CA (openssl)."""
    tls = Path(os.environ["KGOV_CA_FILE"]).parent
    key, csr, cert = folder / f"{cn}.key", folder / f"{cn}.csr", folder / f"{cn}.pem"
    ext = folder / "ext.cnf"
    ext.write_text("basicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth\n", "utf-8")
    run = ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr)]
    subprocess.run([*run, "-subj", f"/CN={cn}/OU=services/O=shop"], check=True, capture_output=True)
    sign = [
        "openssl",
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(tls / "ca.pem"),
        "-CAkey",
        str(tls / "ca.key"),
    ]
    subprocess.run([*sign, "-CAserial", str(folder / "ca.srl"), "-CAcreateserial", "-days", "2",
                    "-extfile", str(ext), "-out", str(cert)], check=True, capture_output=True)  # fmt: skip
    return cert, key


def _name(err: KafkaError | None) -> str | None:
    return None if err is None else str(err.name())


def produce(conf: dict[str, Any], topic: str) -> str | None:
    """One message with an idempotent producer (enable.idempotence: InitProducerId first)."""
    errors: list[KafkaError] = []
    producer = Producer(
        {**conf, "enable.idempotence": True, "error_cb": errors.append, "message.timeout.ms": 10000}
    )
    results: list[str | None] = []
    try:
        producer.produce(topic, b"x", key=b"k", on_delivery=lambda err, _msg: results.append(_name(err)))
        producer.flush(STEP_TIMEOUT)
    except (KafkaException, SystemError) as exc:  # a fatal error surfaces while flushing
        cause = exc.__cause__ if isinstance(exc, SystemError) else exc
        if isinstance(cause, KafkaException) and cause.args and isinstance(cause.args[0], KafkaError):
            return _name(cause.args[0])
        raise
    fatal = [e for e in errors if e.fatal() or e.code() in _AUTH]
    if fatal:
        return _name(fatal[0])
    return results[0] if results else "TIMED_OUT"


def produce_transactional(conf: dict[str, Any], transactional_id: str, topic: str) -> str | None:
    producer = Producer({**conf, "transactional.id": transactional_id, "transaction.timeout.ms": 10000})
    try:
        producer.init_transactions(STEP_TIMEOUT)
        producer.begin_transaction()
        producer.produce(topic, b"tx", key=b"k")
        producer.commit_transaction(STEP_TIMEOUT)
    except KafkaException as exc:
        return _name(exc.args[0]) if exc.args and isinstance(exc.args[0], KafkaError) else str(exc)
    return None


def consume(conf: dict[str, Any], group: str, topic: str) -> str | None:
    """Join the group on the topic, read one message and commit its offset."""
    consumer = Consumer(
        {**conf, "group.id": group, "auto.offset.reset": "earliest", "enable.auto.commit": False,
         "client.id": "kgov-test-" + uuid.uuid4().hex[:6]}
    )  # fmt: skip
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error() is not None:
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    continue
                return _name(msg.error())
            try:
                consumer.commit(message=msg, asynchronous=False)
            except KafkaException as exc:
                return _name(exc.args[0])
            committed = consumer.committed([TopicPartition(topic, msg.partition())], timeout=STEP_TIMEOUT)
            return None if committed[0].offset == msg.offset() + 1 else "NOT_COMMITTED"
        return "TIMED_OUT"
    finally:
        consumer.close()


def consume_and_commit(group: str, topic: str, count: int) -> None:
    """As the group, on the PLAINTEXT listener: read `count` messages of partition 0 from the start
    and commit the position after them."""
    c = Consumer(
        {
            "bootstrap.servers": os.environ["KGOV_BOOTSTRAP_PLAINTEXT"],
            "group.id": group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    try:
        c.assign([TopicPartition(topic, 0, 0)])
        read: list[Any] = []
        deadline = time.monotonic() + 30
        while len(read) < count and time.monotonic() < deadline:
            for m in c.consume(num_messages=count - len(read), timeout=1):
                assert m.error() is None, m.error()
                read.append(m)
        assert len(read) == count
        c.commit(offsets=[TopicPartition(topic, 0, read[-1].offset() + 1)], asynchronous=False)
    finally:
        c.close()


_AUTH = {
    KafkaError.TOPIC_AUTHORIZATION_FAILED,
    KafkaError.CLUSTER_AUTHORIZATION_FAILED,
    KafkaError.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    KafkaError._AUTHENTICATION,
}
