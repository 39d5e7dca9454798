"""protected-topic and service-owns-prefix return at once when no name can be reported (asked in C),
and otherwise look topic by topic as before (issue 23: lint of 100,000 topics): the same findings as
the loops alone, for random catalogs of odd names, services and protected patterns."""

from __future__ import annotations

import fnmatch
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from kgov.catalog.model import Catalog, Ownership, Policy, Settings, Source, Topic, TopicsFile
from kgov.catalog.patterns import protected_matcher
from kgov.catalog.yamlpos import YamlDoc
from kgov.policy.context import Context
from kgov.policy.naming import check_prefix, check_protected
from kgov.policy.registry import Finding

NAMES = ("orders.created", "orders.x", "stock.level", "_internal", "__consumer_offsets", "legacy.y", "orders",
         ".x", "orders.", "Orders.x", "ordérs.é", "a.b.c", "orders_eu.x", "", "stock")  # fmt: skip
SERVICES = ("orders", "stock", "legacy", "ordérs")
PATTERNS = ("_*", "__*", "legacy.*", "orders.x", "*.y", "stock")


def old_protected(ctx: Context) -> Iterator[Finding]:  # 8a90fed's loop
    protected = ctx.catalog.settings.ownership.protected
    matcher = protected_matcher(protected)
    for topic in ctx.topics:
        if matcher is not None and matcher.match(topic.name):
            text = next(p for p in protected if fnmatch.fnmatchcase(topic.name, p))
            yield Finding(topic.loc("name"), f"topic '{topic.name}' matches the protected pattern '{text}'")


def old_prefix(ctx: Context) -> Iterator[Finding]:  # 8a90fed's loop
    if not ctx.policy.service_owns_prefix:
        return
    for topic, (service, _) in zip(ctx.topics, ctx.topic_parts, strict=True):
        if service and service != topic.service:
            yield Finding(
                topic.loc("name"),
                f"topic '{topic.name}' is in the file of service '{topic.service}', "
                f"but its name belongs to service '{service}'",
                f"move it to topics/{service}.yaml, or rename it {topic.service}.<event>",
            )


def context(rng: random.Random) -> Context:
    src = Source("topics/x.yaml", YamlDoc({}, {}))
    files = []
    for _ in range(rng.randrange(0, 4)):
        service = rng.choice(SERVICES)
        if rng.random() < 0.6:  # the usual file: every name its service's
            names = [f"{service}.e{i}" for i in range(rng.randrange(0, 5))]
        else:
            names = [rng.choice(NAMES) for _ in range(rng.randrange(0, 6))]
        topics = tuple(Topic(src, ("topics", i), name=n, service=service) for i, n in enumerate(names))
        files.append(TopicsFile(src, (), service=service, topics=topics))
    protected = tuple(rng.sample(PATTERNS, rng.randrange(0, 3)))
    settings = Settings(
        src,
        (),
        policy=Policy(service_owns_prefix=rng.random() < 0.8),
        ownership=Ownership(protected=protected),
    )
    return Context(Catalog(Path("."), settings, tuple(files)), ())


def shown(found: Iterator[Finding]) -> list[tuple[object, str, str | None]]:
    return [(f.location, f.message, f.hint) for f in found]


@pytest.mark.parametrize("seed", range(400))
def test_the_same_findings_as_the_loops(seed: int) -> None:
    ctx = context(random.Random(seed))
    assert shown(check_protected(ctx)) == shown(old_protected(ctx))
    assert shown(check_prefix(ctx)) == shown(old_prefix(ctx))
