"""Kafka's tools jar (ReassignPartitionsCommand, for the replication-factor acceptance) is part of the
sandbox's Kafka classpath; a cache completed before it was fetched gets it added, nothing else
changed. Maven is replaced by a fake that writes the jars it would copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kgov.sandbox import fetch
from kgov.sandbox.paths import CachePaths
from kgov.sandbox.render import packaged_text

VERSION = "4.3.1"


@pytest.fixture
def maven(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    runs: list[dict[str, str]] = []

    def fake(pom: str, goal: str, props: dict[str, str], work: Path, what: str, on_progress: Any) -> None:
        runs.append(props)
        out = Path(props["outputDirectory"])
        out.mkdir(parents=True)
        for jar in (f"kafka_2.13-{VERSION}.jar", f"kafka-tools-{VERSION}.jar", "kafka-clients.jar"):
            (out / jar).write_text("jar")

    monkeypatch.setattr(fetch, "_run_maven", fake)
    return runs


def test_the_pom_asks_for_the_tools_jar_alone() -> None:
    pom = packaged_text("kafka-pom.xml")
    tools = pom[pom.index("<artifactId>kafka-tools</artifactId>") :].split("</dependency>", 1)[0]
    assert "<groupId>*</groupId>" in tools and "<artifactId>*</artifactId>" in tools


def test_a_fresh_cache_holds_the_tools(tmp_path: Path, maven: list[dict[str, str]]) -> None:
    lib = fetch.kafka_classpath(CachePaths(tmp_path), VERSION, lambda _: None)
    assert (lib / fetch.tools_jar(VERSION)).is_file()
    assert len(maven) == 1


def test_an_older_complete_cache_gets_only_the_tools_jar(tmp_path: Path, maven: list[dict[str, str]]) -> None:
    cache = CachePaths(tmp_path)
    lib = cache.kafka_lib(VERSION)
    lib.mkdir(parents=True)
    (lib / f"kafka_2.13-{VERSION}.jar").write_text("old")
    (lib.parent / fetch.COMPLETE).write_text("ok\n")
    assert fetch.kafka_classpath(cache, VERSION, lambda _: None) == lib
    assert sorted(p.name for p in lib.iterdir()) == [
        f"kafka-tools-{VERSION}.jar",
        f"kafka_2.13-{VERSION}.jar",
    ]
    assert (lib / f"kafka_2.13-{VERSION}.jar").read_text() == "old"  # the rest untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"kafka-{VERSION}"]  # no folder left over
    fetch.kafka_classpath(cache, VERSION, lambda _: None)
    assert len(maven) == 1  # complete now: Maven is not run again
