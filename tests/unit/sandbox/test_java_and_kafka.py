"""Pure helpers for the JVM side: Java versions, SCRAM bootstrap arguments, command lines."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from pathlib import Path

import pytest

from kgov.sandbox.java import parse_major
from kgov.sandbox.kafka import broker_command, new_cluster_id, scram_argument
from kgov.sandbox.nodes import kafka_nodes
from kgov.sandbox.paths import StatePaths
from kgov.sandbox.process import COMPONENT_MARK, HOME_MARK
from kgov.sandbox.registry import RegistryInfo, registry_command
from kgov.sandbox.settings import Ports, Settings


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment', 17),
        ('openjdk version "21.0.8" 2025-07-15 LTS', 21),
        ('java version "1.8.0_392"', 8),
        ('openjdk version "25-ea" 2025-09-16', 25),
        ("no version here", None),
    ],
)
def test_parse_java_major(output: str, major: int | None) -> None:
    assert parse_major(output) == major


def test_cluster_ids_look_like_kafka_uuids() -> None:
    for _ in range(200):
        cid = new_cluster_id()
        assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]{21}", cid)


def test_scram_argument_carries_the_rfc5802_salted_password() -> None:
    salt = b"0123456789abcdef"
    arg = scram_argument("SCRAM-SHA-512", "admin", "pw", salt, 4096)
    match = re.fullmatch(
        r'SCRAM-SHA-512=\[name=admin,iterations=4096,salt="([^"]+)",saltedpassword="([^"]+)"\]', arg
    )
    assert match is not None
    assert base64.b64decode(match.group(1)) == salt
    # RFC 5802 Hi(password, salt, i) is PBKDF2 with HMAC-SHA-512; with i=1 it is U1 = HMAC(pw, salt || 1).
    u1 = hmac.new(b"pw", salt + b"\x00\x00\x00\x01", hashlib.sha512).digest()
    assert hashlib.pbkdf2_hmac("sha512", b"pw", salt, 1) == u1
    assert base64.b64decode(match.group(2)) == hashlib.pbkdf2_hmac("sha512", b"pw", salt, 4096)
    assert "pw" not in arg.replace("saltedpassword", "")


def test_command_lines_carry_the_marks_and_heaps(tmp_path: Path) -> None:
    paths = StatePaths.at(tmp_path)
    settings = Settings(kafka_heap="384m", registry_heap="300m", ports=Ports(registry=18081))
    kafka = broker_command(Path("/jdk/bin/java"), Path("/cache/lib"), paths, settings)
    assert kafka[0] == "/jdk/bin/java"
    assert "-Xmx384m" in kafka
    assert f"{HOME_MARK}{paths.root}" in kafka and f"{COMPONENT_MARK}kafka" in kafka
    assert kafka[-2:] == ["kafka.Kafka", str(paths.kafka_config)]
    assert "/cache/lib/*" in kafka
    registry = registry_command(Path("/jdk21/bin/java"), Path("/cache/reg"), paths, settings)
    assert "-Xmx300m" in registry
    assert "-Dquarkus.http.port=18081" in registry
    assert "-Dquarkus.http.host=127.0.0.1" in registry
    assert "-Dquarkus.management.host=127.0.0.1" in registry
    assert f"{COMPONENT_MARK}registry" in registry
    log = paths.root / "logs" / "registry-gc.log"
    gc_log = f'-Xlog:gc,safepoint=info:file="{log}":time,uptime:filecount=2,filesize=5m'
    assert gc_log in registry  # JVM pauses on record, to match against a slow request
    assert registry[-2:] == ["-jar", "/cache/reg/quarkus-run.jar"]


def test_registry_label() -> None:
    info = RegistryInfo(name="Apicurio Registry (SQL)", version="3.3.3")
    assert info.label == "Apicurio Registry 3.3.3 (ccompat v7)"


def test_the_broker_jit_is_one_tier_unless_full_is_asked_for(tmp_path: Path) -> None:
    paths = StatePaths.at(tmp_path)
    quick = broker_command(Path("/jdk/bin/java"), Path("/lib"), paths, Settings())
    full = broker_command(Path("/jdk/bin/java"), Path("/lib"), paths, Settings(kafka_jit="full"))
    assert "-XX:TieredStopAtLevel=1" in quick
    assert "-XX:TieredStopAtLevel=1" not in full
    assert [a for a in quick if a != "-XX:TieredStopAtLevel=1"] == full


def test_the_dedicated_controller_takes_its_own_heap(tmp_path: Path) -> None:
    """--controller-heap sizes the KRaft controller of --brokers 2+; the brokers keep --heap."""
    paths = StatePaths.at(tmp_path)
    settings = Settings(brokers=3, kafka_heap="768m", controller_heap="1g")
    heaps = {
        node.name: [a for a in broker_command(Path("/j"), Path("/l"), paths, settings, node) if "-Xmx" in a]
        for node in kafka_nodes(settings)
    }
    controllers = [n.name for n in kafka_nodes(settings) if not n.is_broker]
    assert controllers and all(heaps.pop(name) == ["-Xmx1g"] for name in controllers)
    assert heaps and all(h == ["-Xmx768m"] for h in heaps.values())
    # the one-broker sandbox's combined node is a broker: --heap, never the controller's
    one = Settings(kafka_heap="640m", controller_heap="1g")
    (combined,) = kafka_nodes(one)
    flags = broker_command(Path("/j"), Path("/l"), paths, one, combined)
    assert "-Xmx640m" in flags and "-Xmx1g" not in flags
