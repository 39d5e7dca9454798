"""Lint's rules answer "nothing to find" from one look at a whole column (issue 23: lint of 100,000
topics), and otherwise run their topic-by-topic loops as before: every rule's findings, in order,
with the same positions, equal those of the loops alone (every shortcut forced off), for random
catalogs of odd names, services, configs, fields, schemas and policies. Each shortcut is also
checked to be taken on the usual catalog, and to be refused where its loop must find something."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from kgov.catalog.model import (
    DEFAULT_TOPIC_NAME,
    AccessFile,
    AclEntry,
    Bounds,
    Catalog,
    Ownership,
    Policy,
    SchemaFile,
    SchemaRef,
    Settings,
    Source,
    Topic,
    TopicsFile,
)
from kgov.catalog.yamlpos import YamlDoc
from kgov.diagnostics import Diagnostic
from kgov.policy import compaction, configs, engine, naming, references, required, security, sizing
from kgov.policy.context import Context
from kgov.policy.registry import rules

SERVICES = ("orders", "stock", "a.b", "", "ordérs", "_x")
EVENTS = ("created", "state", "order-state", "events", "all", "data", "stock-level", "x", "", "e.f")
ODD_NAMES = ("_internal", "__consumer_offsets", "orders", ".", "..", "orders.", ".x", "a\nb", "orders.x\n",
             "orders_eu.x", "Orders.x", "a" * 250, "stock.snapshot", "legacy.y", "x.events", "events",
             "a.b.c", "orders.state\n", "ordérs.é", "orders.x", "orders_x", "stock_e")  # fmt: skip
CONFIG_VALUES: dict[str, tuple[object, ...]] = {
    "retention.ms": (86400000, -1, "-1", " -1", "7d", "bogus", 1.5, None, True, [1], "-1ms", 0, "-0"),
    "cleanup.policy": ("delete", "compact", "compact,delete", "bogus", 7, ["compact"], None, " compact"),
    "min.insync.replicas": (1, 2, 4, "2", "x", 2.0, True, -1, None, 0),
    "retention.bytes": (-1, "-1", "10GiB", 5),
    "segment.bytes": (1, 1073741824, "1GiB", "x"),
    "confluent.placement": ("x",),
    "follower.replication.throttled.replicas": ("*",),
    "retention.msec": ("7d",),
    "message.format.version": ("3.0",),
}
TEXTS = (
    None,
    "",
    "  ",
    "\u3000",
    "\n",
    "Event of the benchmark.",
    "Latest order.",
    "state of x",
    "ok",
    "pii",
)
PATTERNS = (
    DEFAULT_TOPIC_NAME,
    r"^(?P<service>[a-z._]+)\.(?P<event>[a-z-]+)$",
    r"^[a-z]+\.[a-z.-]+$",
    r"^(?P<event>.+)$",
    "(",  # refused: policy-settings reports it
)
PROTECTED = ("_*", "__*", "legacy.*", "*.y", "orders.x", "[_]*", "st?ck.*", "")
IGNORE = ("confluent.*", "*.replication.throttled.replicas", "retention.*", "*")
REQUIRED = ("owner", "description", "classification", "key_schema", "value_schema")


def _name(rng: random.Random, service: str) -> str:
    if rng.random() < 0.75:
        sep = "_" if rng.random() < 0.2 else "."  # orders_created collides with orders.created
        return f"{service}{sep}{rng.choice(EVENTS)}{rng.randrange(2) or ''}"
    return rng.choice(ODD_NAMES)


def _config(rng: random.Random, odd: float) -> dict[str, object]:
    keys = rng.sample(sorted(CONFIG_VALUES), rng.randrange(0, 3)) if rng.random() < odd else []
    usual = {"retention.ms": 86400000} if rng.random() < 0.5 else {}
    return usual | {k: rng.choice(CONFIG_VALUES[k]) for k in keys}


def catalog(rng: random.Random) -> Catalog:
    odd = rng.choice((0.0, 0.05, 0.3, 1.0))  # how often a topic is unusual: 0 is the usual catalog
    files = []
    for f in range(rng.randrange(0, 4)):
        service = rng.choice(SERVICES) if rng.random() < odd * 2 else ("orders", "stock", "pay")[f % 3]
        src = Source(f"topics/{service or 'x'}.yaml", YamlDoc({}, {}))
        topics = []
        for i in range(rng.randrange(0, 6)):
            unusual = rng.random() < odd
            own = rng.choice(SERVICES) if unusual and rng.random() < 0.3 else service
            topics.append(
                Topic(
                    src,
                    ("topics", i),
                    name=_name(rng, service) if unusual else f"{service}.e{f}-{i}",
                    service=own,
                    owner=rng.choice(TEXTS) if unusual else "team",
                    description=rng.choice(TEXTS) if unusual else f"Event {i} of the benchmark.",
                    partitions=rng.choice((1, 3, 200)) if unusual else 1,
                    replication_factor=rng.choice((0, 1, 2, 3)) if unusual else rng.choice((1, 3)),
                    classification=rng.choice(TEXTS) if unusual else rng.choice((None, "internal")),
                    config=_config(rng, odd),
                    key_schema=SchemaRef(rng.choice(("k", "missing")))
                    if unusual and rng.random() < 0.3
                    else None,
                    value_schema=SchemaRef(rng.choice(("v", "k", "gone"))) if rng.random() < 0.4 else None,
                )
            )
        if topics and rng.random() < odd:  # a name that collides with one before it in metrics
            twin = topics[rng.randrange(len(topics))]
            topics.append(
                Topic(src, ("topics", len(topics)), name=twin.name.replace(".", "_"), service=service)
            )
        files.append(TopicsFile(src, (), service=service, topics=tuple(topics)))
    policy = Policy(
        topic_name=rng.choice(PATTERNS) if rng.random() < 0.4 else DEFAULT_TOPIC_NAME,
        service_owns_prefix=rng.random() < 0.9,
        partitions=Bounds(1, 12),
        replication_factor=Bounds(1, None),
        min_insync_replicas=rng.choice((Bounds(1, None), Bounds(2, None), Bounds(None, None))),
        required=tuple(rng.sample(REQUIRED, rng.randrange(0, 3))) if rng.random() < 0.5 else ("owner",),
        catch_all_events=tuple(
            rng.sample(("events", "all", "data", "x", "", "e.f", "a\nb"), rng.randrange(0, 4))
        ),
    )
    ownership = Ownership(
        protected=tuple(rng.sample(PROTECTED, rng.randrange(0, 3))),
        ignore_configs=tuple(rng.sample(IGNORE, rng.randrange(0, 2))),
    )
    names = [t.name for f in files for t in f.topics] or ["orders.x"]
    access = []
    for i in range(rng.randrange(0, 3)):
        src = Source(f"acls/a{i}.yaml", YamlDoc({}, {}))
        listed = [rng.choice(names) if rng.random() > odd / 2 else rng.choice(ODD_NAMES) for _ in range(3)]
        grant = AclEntry(
            src, ("acls", 0), name=rng.choice(("orders.", "")), pattern="prefixed", operations=("read",)
        )
        access.append(
            AccessFile(
                src,
                (),
                service=f"a{i}",
                principal=rng.choice(("User:a", "User:*")),
                produces=tuple(listed[:1]),
                consumes=tuple(listed[1:]),
                acls=(grant,) if rng.random() < 0.5 else (),
            )
        )
    src = Source("kgov.yaml", YamlDoc({}, {}))
    schemas = {s: SchemaFile(s, "avro", f"schemas/{s}.avsc", '"string"') for s in ("k", "v", "unused")}
    return Catalog(
        Path("."), Settings(src, (), policy=policy, ownership=ownership), tuple(files), tuple(access), schemas
    )


# Each shortcut, as the value that sends its rule to its loop.
OFF: tuple[tuple[Any, str, Any], ...] = (
    (naming, "_all_match", lambda whole, ctx: False),
    (naming, "_no_underscore", lambda ctx: False),
    (naming, "_no_name_starts", lambda ctx, globs: False),
    (naming, "_split_services_match", lambda ctx: False),
    (naming, "_no_event_in", lambda ctx, events: False),
    (compaction, "_never_compacted", lambda ctx: False),
    (compaction, "_never_minus_one", lambda ctx, key: False),
    (compaction, "_may_end_in_state", lambda ctx: True),
    (configs, "_all_known", lambda ctx: False),
    (configs, "_none_ignored", lambda ctx, patterns: False),
    (configs, "_all_valid", lambda ctx: False),
    (sizing, "_isr_fits", lambda ctx, wanted: False),
    (required, "_all_set", lambda ctx, field: False),
    (references, "_all_have_files", lambda ctx: False),
    (references, "_all_in", lambda names, listed: False),
    (security, "_no_pii", lambda ctx: False),
)  # fmt: skip


def shown(found: list[Diagnostic]) -> list[tuple[object, ...]]:
    return [(d.rule, d.severity, d.message, d.location, d.hint) for d in found]


def by_rule(cat: Catalog) -> dict[str, list[tuple[object, ...]]]:
    """Each rule's findings in the order it gave them (the per-file cap keeps the first ones)."""
    ctx = Context(cat, ())
    out: dict[str, list[tuple[object, ...]]] = {}
    for rule in rules():
        if rule.check is not None:
            found: list[Diagnostic] = []
            engine._run(rule, ctx, {}, False, found)
            out[rule.id] = shown(found)
    return out


def slow(cat: Catalog, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple[object, ...]]]:
    with monkeypatch.context() as m:
        for module, name, value in OFF:
            m.setattr(module, name, value)
        return by_rule(cat)


@pytest.mark.parametrize("seed", range(300))
def test_every_rule_finds_what_its_loop_finds(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    cat = catalog(random.Random(seed))
    fast = by_rule(cat)
    assert fast == slow(cat, monkeypatch)
    assert shown(engine.check(cat)) == [d for found in fast.values() for d in found]


def test_the_random_catalogs_have_findings_for_every_changed_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above means something only if the loops find things in some catalogs (so a
    wrong early return would differ)."""
    changed = ("topic-name-legal", "topic-name-pattern", "topic-name-collision", "protected-topic",
               "service-owns-prefix", "catch-all-topic", "compacted-without-key", "unbounded-retention",
               "state-topic-not-compacted", "unknown-config", "ignored-config", "invalid-config-value",
               "min-insync-replicas", "required-fields", "missing-schema", "unused-schema",
               "unknown-topic-reference", "pii-wildcard-read", "file-name-service")  # fmt: skip
    seen = dict.fromkeys(changed, 0)
    for seed in range(300):
        found = slow(catalog(random.Random(seed)), monkeypatch)
        for rule in changed:
            seen[rule] += bool(found[rule])
    assert all(count >= 5 for count in seen.values()), seen


def usual() -> Catalog:
    """The benchmark's shape: every shortcut answers, no rule has a finding."""
    files = []
    for s in ("b000", "b001"):
        src = Source(f"topics/{s}.yaml", YamlDoc({}, {}))
        topics = tuple(
            Topic(
                src,
                ("topics", i),
                name=f"{s}.e{i:05d}",
                service=s,
                owner="team",
                description=f"Event {i}.",
                config={"retention.ms": 86400000} if i % 2 else {},
                value_schema=SchemaRef("v") if i == 0 else None,
            )
            for i in range(50)
        )
        files.append(TopicsFile(src, (), service=s, topics=topics))
    policy = Policy(replication_factor=Bounds(1, None), min_insync_replicas=Bounds(1, None))
    settings = Settings(Source("kgov.yaml", YamlDoc({}, {})), (), policy=policy)
    schemas = {"v": SchemaFile("v", "avro", "schemas/v.avsc", '"string"')}
    return Catalog(Path("."), settings, tuple(files), (), schemas)


def test_the_usual_catalog_takes_every_shortcut() -> None:
    cat = usual()
    ctx = Context(cat, ())
    assert naming._all_match(naming._ALL_LEGAL, ctx) and naming._all_match(naming._ALL_DEFAULT, ctx)
    assert naming._no_underscore(ctx) and naming._no_name_starts(ctx, ("_*", "__*"))
    assert naming._split_services_match(ctx) and naming._no_event_in(
        ctx, set(cat.settings.policy.catch_all_events)
    )
    assert compaction._never_compacted(ctx) and compaction._never_minus_one(ctx, "retention.ms")
    assert not compaction._may_end_in_state(ctx)
    assert configs._all_known(ctx) and configs._none_ignored(ctx, cat.settings.ownership.ignore_configs)
    assert configs._all_valid(ctx) and sizing._isr_fits(ctx, 1)
    assert required._all_set(ctx, "owner") and required._all_set(ctx, "description")
    assert references._all_have_files(ctx)
    assert "topic_parts" not in vars(ctx)  # no name was split
    assert engine.check(cat) == []


def _with(cat: Catalog, **changes: Any) -> Catalog:
    """The catalog with the last topic of its first file changed."""
    first = cat.topic_files[0]
    last = first.topics[-1]
    fields = {f: getattr(last, f) for f in ("name", "service", "owner", "description", "partitions",
              "replication_factor", "classification", "config", "key_schema", "value_schema")}  # fmt: skip
    topic = Topic(last.src, last.path, **(fields | changes))
    changed = TopicsFile(first.src, first.path, service=first.service, topics=(*first.topics[:-1], topic))
    return Catalog(cat.root, cat.settings, (changed, *cat.topic_files[1:]), cat.access_files, cat.schemas)


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"name": "b000_e00000"}, "topic-name-collision"),
        ({"name": "_b000.x"}, "protected-topic"),
        ({"name": "b000.Bad"}, "topic-name-pattern"),
        ({"name": "b000.ok!"}, "topic-name-legal"),
        ({"name": "b001.e00049"}, "service-owns-prefix"),
        ({"name": "b000.events"}, "catch-all-topic"),
        ({"name": "b000.order-state"}, "state-topic-not-compacted"),
        ({"config": {"cleanup.policy": "compact"}}, "compacted-without-key"),
        ({"config": {"retention.ms": "-1"}}, "unbounded-retention"),
        ({"config": {"retention.msec": 1}}, "unknown-config"),
        ({"config": {"confluent.x": 1}}, "ignored-config"),
        ({"config": {"retention.ms": "7 days"}}, "invalid-config-value"),
        ({"config": {"min.insync.replicas": 2}}, "min-insync-replicas"),
        ({"owner": " "}, "required-fields"),
        ({"description": None}, "required-fields"),
        ({"value_schema": SchemaRef("nope")}, "missing-schema"),
    ],
)
def test_one_odd_topic_is_found_past_the_shortcut(changes: dict[str, Any], rule: str) -> None:
    found = [d.rule for d in engine.check(_with(usual(), **changes))]
    assert rule in found


def test_file_names_are_the_paths_parts() -> None:
    """file-name-service reads a file's folder, name and stem off its text: as Path gives them, for
    every path of up to four odd parts, relative or absolute."""
    import itertools

    parts = ("", ".", "..", "a", "b.yaml", ".yaml", "x.", "a.b.c", "topics", "é.yml", " ")
    for k in range(1, 5):
        for combo in itertools.product(parts, repeat=k):
            for lead in ("", "/"):
                file = lead + "/".join(combo)
                path = Path(file)
                assert naming._file_names(file) == (path.parent.name, path.name, path.stem), file


def _one_file(service: str, names: tuple[str, ...], catch_all: tuple[str, ...] = ("events",)) -> Catalog:
    src = Source(f"topics/{service}.yaml", YamlDoc({}, {}))
    topics = tuple(
        Topic(src, ("topics", i), name=n, service=service, owner="t", description="d.")
        for i, n in enumerate(names)
    )
    policy = Policy(
        replication_factor=Bounds(1, None), min_insync_replicas=Bounds(1, None), catch_all_events=catch_all
    )
    settings = Settings(Source("kgov.yaml", YamlDoc({}, {})), (), policy=policy)
    return Catalog(Path("."), settings, (TopicsFile(src, (), service=service, topics=topics),))


@pytest.mark.parametrize(
    ("service", "names", "catch_all", "rule"),
    [
        ("b", ("b.x", "b.e1\nb.e2"), ("events",), "topic-name-legal"),  # two legal lines, one name
        ("b", ("b.x", "b.e1\nb.e2"), ("events",), "topic-name-pattern"),
        ("b", ("b.x", "events"), ("events",), "catch-all-topic"),  # no dot: the event is the name
        ("b", ("b.x", "b.y.events"), ("y.events",), "catch-all-topic"),  # the event after the first dot
        ("b.x", ("b.x.e1", "b.x.e2"), ("events",), "service-owns-prefix"),  # a service with a dot
        ("b", ("b.x", "b.order-state\n"), ("events",), "state-topic-not-compacted"),
    ],
)
def test_edge_names_are_found_past_the_shortcuts(
    service: str,
    names: tuple[str, ...],
    catch_all: tuple[str, ...],
    rule: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cat = _one_file(service, names, catch_all)
    fast = by_rule(cat)
    assert fast[rule]
    assert fast == slow(cat, monkeypatch)


@pytest.mark.parametrize("seed", range(40))
def test_the_possessive_whole_list_patterns_answer_as_each_name_does(seed: int) -> None:
    """_ALL_LEGAL and _ALL_DEFAULT match without giving back: the same answer as matching each name
    (a name holding a newline: never all)."""
    import re

    rng = random.Random(seed)
    legal, default = re.compile(r"[a-zA-Z0-9._-]{1,249}"), re.compile(DEFAULT_TOPIC_NAME)
    for _ in range(200):
        names = []
        for _ in range(rng.randrange(1, 4)):
            if rng.random() < 0.1:
                names.append("a" * rng.choice((248, 249, 250)))
            else:
                names.append("".join(rng.choice("ab.-_9Z\n") for _ in range(rng.randrange(0, 7))))
        ctx = Context(_one_file("b", tuple(names)), ())
        plain = not any("\n" in n for n in names)
        assert naming._all_match(naming._ALL_LEGAL, ctx) == (plain and all(map(legal.fullmatch, names)))
        assert naming._all_match(naming._ALL_DEFAULT, ctx) == (plain and all(map(default.fullmatch, names)))


def _old_quiet(descriptions: list[str]) -> bool:  # 21413a8's
    joined = "\n".join(descriptions)
    if not joined.isascii():
        return False
    low = joined.lower()
    return not any(word in low for word in ("latest", "state of", "current ", "snapshot of"))


@pytest.mark.parametrize("seed", range(20))
def test_quiet_descriptions_by_one_search_as_by_four(seed: int) -> None:
    """state-topic-not-compacted's look at all descriptions (one case-insensitive RE2 search of the
    ASCII text) answers as the lower-cased text's four searches did."""
    rng = random.Random(seed)
    words = ("LaTeSt", "latest", "State Of", "state\nof", "state  of", "CURRENT ", "current\t", "snapshot OF",
             "snap shot of", "of", "\u017ftate of", "\u212aey", "x", " ", "ok.", "états")  # fmt: skip
    for _ in range(300):
        descriptions = [
            "".join(rng.choice(words) for _ in range(rng.randrange(0, 4))) for _ in range(rng.randrange(0, 4))
        ]
        assert compaction._quiet(descriptions) == _old_quiet(descriptions), descriptions
