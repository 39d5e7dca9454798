"""Run the differential corpus through kgov's checker and a real registry; print the agreement table.

    PYTHONPATH=$PWD python3 -m tests.differential http://127.0.0.1:8081/apis/ccompat/v7

For each pair: a fresh subject, the old versions registered (level NONE while doing so), the level
set, then the registry's verdict on the new schema (`POST /compatibility/subjects/{s}/versions[/latest]`).
"""

from __future__ import annotations

import sys
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from kgov.cluster.registry.adapter import HttpRegistry, RegistrySettings
from kgov.cluster.registry.port import SCHEMA_TYPES, NewSchema, RegistryError
from kgov.errors import ClusterError, KgovError
from kgov.schemas.check import check
from kgov.schemas.model import Level, Schema
from tests.schema_corpus import Pair, corpus


@dataclass(frozen=True)
class Outcome:
    pair: Pair
    kgov: str  # "compatible" | "incompatible" | "invalid"
    registry: str  # the same, or "error: ..."
    reasons: tuple[str, ...]

    @property
    def agree(self) -> bool:
        return self.kgov == self.registry


def registry_at(url: str) -> HttpRegistry:
    parts = urlsplit(url)
    return HttpRegistry(
        RegistrySettings(url, parts.hostname or "", parts.port, parts.path.rstrip("/"), False, None, None),
        timeout_s=60.0,  # hundreds of requests in a row: an Apicurio pause over 15 s was seen under load
    )


def kgov_verdict(pair: Pair) -> tuple[str, tuple[str, ...]]:
    old = [(f"v{i}", Schema(pair.format, text, f"v{i}")) for i, text in enumerate(pair.old, 1)]
    try:
        verdict = check(Schema(pair.format, pair.new, "new"), old, Level(pair.level))
    except KgovError as exc:
        return "invalid", (exc.message,)
    messages = tuple(b.message() for b in verdict.breaking)
    return ("compatible" if verdict.compatible else "incompatible"), messages


def registry_verdict(registry: HttpRegistry, pair: Pair, run: str, index: int) -> str:
    subject = f"diff-{run}-{index}"
    kind = SCHEMA_TYPES[pair.format]
    try:
        for i, text in enumerate(pair.old):
            registry.register(NewSchema(subject, kind, text))
            if i == 0:
                registry.set_level(subject, "NONE")
        registry.set_level(subject, pair.level)
        ok = registry.is_compatible(NewSchema(subject, kind, pair.new), pair.level)
    except RegistryError as exc:
        return "invalid" if exc.status == 422 else f"error: {exc.message}"
    return "compatible" if ok else "incompatible"


def run(url: str) -> list[Outcome]:
    registry = registry_at(url)
    tag = uuid.uuid4().hex[:8]
    pairs = corpus()

    def one(item: tuple[int, Pair]) -> Outcome:
        index, pair = item
        verdict, reasons = kgov_verdict(pair)
        try:
            answer = registry_verdict(registry, pair, tag, index)
        except ClusterError:  # one stalled request: ask again in a fresh subject
            answer = registry_verdict(registry, pair, f"{tag}-retry", index)
        return Outcome(pair, verdict, answer, reasons)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, enumerate(pairs)))


def table(outcomes: list[Outcome]) -> str:
    rows = Counter((o.pair.format, o.pair.level, o.agree) for o in outcomes)
    keys = sorted({(o.pair.format, o.pair.level) for o in outcomes})
    lines = ["| type | level | pairs | agree | disagree |", "|---|---|---:|---:|---:|"]
    for fmt, level in keys:
        yes, no = rows[(fmt, level, True)], rows[(fmt, level, False)]
        lines.append(f"| {fmt} | {level} | {yes + no} | {yes} | {no} |")
    for fmt in ("avro", "json"):
        yes = sum(1 for o in outcomes if o.pair.format == fmt and o.agree)
        total = sum(1 for o in outcomes if o.pair.format == fmt)
        lines.append(f"| **{fmt}** | all | {total} | {yes} | {total - yes} |")
    return "\n".join(lines)


def main() -> int:
    outcomes = run(sys.argv[1])
    print(table(outcomes))
    for o in outcomes:
        if not o.agree:
            print(f"- {o.pair.format} {o.pair.level} '{o.pair.name}': kgov {o.kgov}, registry {o.registry}")
            for reason in o.reasons:
                print(f"    {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
