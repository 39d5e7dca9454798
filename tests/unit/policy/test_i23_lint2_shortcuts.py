"""The second round of 100,000-topic shortcuts in lint's rules gives what the general path gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgov.catalog.model import DEFAULT_TOPIC_NAME, Catalog, Policy, Settings, Source, Topic, TopicsFile
from kgov.catalog.yamlpos import YamlDoc
from kgov.policy.context import Context

NAMES = [
    "orders.created",
    "orders.created.v2",
    "orders",
    "Orders.Created",
    ".created",
    "orders.",
    "orders..x",
    "a.b.c.d",
    "orders.created\n",
    "orders\n.created",
    "ordérs.créé",
    "orders-eu.stock-level",
    "9orders.created",
    "orders_x.y",
    "",
    ".",
]
PATTERNS = [
    DEFAULT_TOPIC_NAME,
    r"^[a-z.]+$",  # no named groups
    r"^(?P<team>[a-z]+)\.[a-z.]+$",  # named groups, neither service nor event
    r"^(?P<service>[a-z]+)\.(?P<event>[a-z.]+)$",  # RE2, groups that differ from the split
    r"^[a-z]+\.(?P<event>[a-z]+)\.v[0-9]+$",
    "^(",  # refused
]


def _context(pattern: str) -> Context:
    src = Source("topics/x.yaml", YamlDoc({}, {}))
    topics = tuple(Topic(src, ("topics", i), name=n, service="orders") for i, n in enumerate(NAMES))
    settings = Settings(src, (), policy=Policy(topic_name=pattern))
    return Context(Catalog(Path("."), settings, (TopicsFile(src, (), service="orders", topics=topics),)), ())


@pytest.mark.parametrize("pattern", PATTERNS)
def test_topic_parts_are_the_parts_of_each_name_by_the_pattern(pattern: str) -> None:
    ctx = _context(pattern)
    assert ctx.topic_parts == tuple(ctx._parts(t.name) for t in ctx.topics)
    assert ctx.topic_parts == tuple(_context(pattern).parts(t.name) for t in ctx.topics)


def test_the_default_pattern_and_the_split_are_the_same_on_every_name() -> None:
    ctx = _context(DEFAULT_TOPIC_NAME)
    assert ctx.parts_are_split
    assert not _context(PATTERNS[3]).parts_are_split


ODD = [
    *NAMES,
    "a" * 249,
    "a" * 250,
    "x.y" * 90,
    "..",
    "ok.name\nok.name",
    "ok.name\n",
    "\nok.name",
    "ok\u212a.x",
]


def _names_context(names: list[str], pattern: str = DEFAULT_TOPIC_NAME) -> Context:
    src = Source("topics/x.yaml", YamlDoc({"topics": [{"name": n} for n in names]}, {}))
    topics = tuple(Topic(src, ("topics", i), name=n, service="orders") for i, n in enumerate(names))
    settings = Settings(src, (), policy=Policy(topic_name=pattern))
    return Context(Catalog(Path("."), settings, (TopicsFile(src, (), service="orders", topics=topics),)), ())


def _findings(check: object, ctx: Context) -> list[tuple[str, str | None]]:
    return [(f.message, f.hint) for f in check(ctx)]  # type: ignore[operator]


def _name_lists() -> list[list[str]]:
    good = ["orders.created", "orders.cancelled", "stock.level-changed"]
    lists = [[], good, good + good[:1], [*good, "orders.created"]]
    lists += [[*good, odd] for odd in ODD] + [[odd] for odd in ODD] + [[odd, *good] for odd in ODD]
    return lists


@pytest.mark.parametrize("names", _name_lists())
def test_the_whole_list_checks_find_what_the_name_by_name_checks_find(
    names: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kgov.policy import naming

    checks = (naming.check_legal, naming.check_pattern, naming.check_duplicates)
    fast = [_findings(c, _names_context(names)) for c in checks]
    monkeypatch.setattr(naming, "_all_match", lambda whole, names: False)
    slow_ctx = _names_context(names)
    no_length_shortcut = property(lambda self: frozenset())
    monkeypatch.setattr(type(slow_ctx), "topic_names", no_length_shortcut)
    assert fast == [_findings(c, slow_ctx) for c in checks]


@pytest.mark.parametrize("names", _name_lists())
def test_all_match_is_each_name_matching(names: list[str]) -> None:
    import re

    from kgov.policy import naming

    legal = re.compile(r"[a-zA-Z0-9._-]{1,249}")
    default = re.compile(DEFAULT_TOPIC_NAME)
    if names:
        ctx = _names_context(names)
        assert naming._all_match(naming._ALL_LEGAL, ctx) == all(legal.fullmatch(n) for n in names)
        assert naming._all_match(naming._ALL_DEFAULT, ctx) == all(default.fullmatch(n) for n in names)


STATE_NAMES = ["orders.state", "orders.order-state", "orders.state\n", "orders.statement", "orders.created"]
STATE_NAMES += ["orders.status-changed", "orders.latest", "stock.stock-level", "nodot-state", "orders.table"]
STATE_DESCRIPTIONS = [
    None,
    "",
    "Latest order.",
    "Event of the benchmark.",
    "\u017ftate of x",
    "The state of it",
]
STATE_DESCRIPTIONS += ["current value\nof x", "snapshot\nof", "Zustände", "a snapshot of b"]
POLICIES: list[dict[str, object]] = [{}, {"cleanup.policy": "compact"}, {"cleanup.policy": "delete"}]
POLICIES += [{"cleanup.policy": "compact,delete"}, {"cleanup.policy": 7}, {"cleanup.policy": "bogus"}]


def _state_context(rows: list[tuple[str, str | None, dict[str, object]]]) -> Context:
    src = Source("topics/x.yaml", YamlDoc({"topics": [{"name": n} for n, _, _ in rows]}, {}))
    topics = tuple(
        Topic(src, ("topics", i), name=n, service="orders", description=d, config=c)
        for i, (n, d, c) in enumerate(rows)
    )
    return Context(Catalog(Path("."), Settings(src, ()), (TopicsFile(src, (), topics=topics),)), ())


def _state_cases() -> list[list[tuple[str, str | None, dict[str, object]]]]:
    quiet: tuple[str, str | None, dict[str, object]] = ("orders.created", "Event of the benchmark.", {})
    cases: list[list[tuple[str, str | None, dict[str, object]]]] = [[], [quiet]]
    for i, name in enumerate(STATE_NAMES):
        for j, description in enumerate(STATE_DESCRIPTIONS):
            cases.append([quiet, (name, description, POLICIES[(i + j) % len(POLICIES)]), quiet])
    return cases


@pytest.mark.parametrize("rows", _state_cases())
def test_state_topic_not_compacted_finds_what_its_search_of_each_topic_finds(
    rows: list[tuple[str, str | None, dict[str, object]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kgov.policy import compaction

    fast = _findings(compaction.check_state_compacted, _state_context(rows))
    monkeypatch.setattr(compaction, "_quiet", lambda descriptions: False)
    monkeypatch.setattr(compaction, "_STATE_ENDINGS", ("",))  # every event searched, as before
    monkeypatch.setattr(compaction, "_may_end_in_state", lambda ctx: True)
    assert fast == _findings(compaction.check_state_compacted, _state_context(rows))


ACL_FILES = {
    "direct": "service: a\nprincipal: User:a\nproduces: [a.x]\nconsumes: [a.x, b.y]\n",
    "by-grant": "service: b\nprincipal: User:b\nacls:\n"
    "  - {resource: topic, name: 'b.', pattern: prefixed, operations: [write]}\n",
    "literal-grant": "service: c\nprincipal: User:c\nconsumes: [c.z, a.x]\nacls:\n"
    "  - {resource: topic, name: c.z, operations: [write]}\n",
    "nobody": "service: d\nprincipal: User:d\nconsumes: [b.y, c.w, not.in-catalog]\n",
    "self": "service: e\nprincipal: User:e\nproduces: [a.x]\nconsumes: [a.x, not.in-catalog]\n",
}
# topics consumed and produced by no one, per case (the "self" case takes the shortcut)
UNPRODUCED = {"direct": 1, "direct by-grant": 0, "literal-grant": 1, "direct nobody": 2, "self": 0}


@pytest.mark.parametrize("files", [case.split() for case in UNPRODUCED])
def test_consumed_not_produced_finds_what_reading_every_grant_finds(
    files: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kgov.catalog.load import load_catalog
    from kgov.policy import references

    (tmp_path / "kgov.yaml").write_text("version: 1\n", "utf-8")
    (tmp_path / "topics").mkdir()
    (tmp_path / "acls").mkdir()
    for service, names in (("a", ["a.x"]), ("b", ["b.y"]), ("c", ["c.z", "c.w"])):
        entries = "".join(f"  - {{name: {n}, partitions: 1, replication_factor: 3}}\n" for n in names)
        (tmp_path / "topics" / f"{service}.yaml").write_text(
            f"service: {service}\ntopics:\n{entries}", "utf-8"
        )
    for name in files:
        text = ACL_FILES[name]
        (tmp_path / "acls" / f"{text.split()[1]}.yaml").write_text(text, "utf-8")
    catalog = load_catalog(tmp_path).catalog

    def ctx() -> Context:
        return Context(catalog, ())

    fast = _findings(references.check_producers, ctx())
    monkeypatch.setattr(references, "_all_produced", lambda files, consumed, topics: False)
    assert fast == _findings(references.check_producers, ctx())
    assert len(fast) == UNPRODUCED[" ".join(files)]


@pytest.mark.parametrize(
    "config", [{}, {"retention.ms": -1}, {"retention.ms": "-1", "cleanup.policy": "compact"}]
)
def test_unbounded_retention_reads_the_policy_only_where_it_matters(config: dict[str, object]) -> None:
    from kgov.policy.compaction import check_unbounded_retention

    src = Source("topics/x.yaml", YamlDoc({}, {}))
    topics = (Topic(src, ("topics", 0), name="a.b", config=config),)
    ctx = Context(Catalog(Path("."), Settings(src, ()), (TopicsFile(src, (), topics=topics),)), ())
    assert len(_findings(check_unbounded_retention, ctx)) == (config == {"retention.ms": -1})


@pytest.mark.parametrize("values", [[], [1], [1, 120], [0, 5], [5, 121], [3, 3, 3], [2, 4, 1000]])
@pytest.mark.parametrize("bounds", [(1, 120), (3, None), (None, 4), (None, None)])
def test_the_bounds_rules_find_what_their_look_at_each_topic_finds(
    values: list[int], bounds: tuple[int | None, int | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kgov.catalog.model import Bounds
    from kgov.policy import sizing

    def context() -> Context:
        src = Source("topics/x.yaml", YamlDoc({}, {}))
        topics = tuple(
            Topic(src, ("topics", i), name=f"a.t{i}", partitions=v, replication_factor=v)
            for i, v in enumerate(values)
        )
        policy = Policy(partitions=Bounds(*bounds), replication_factor=Bounds(*bounds))
        settings = Settings(src, (), policy=policy)
        return Context(Catalog(Path("."), settings, (TopicsFile(src, (), topics=topics),)), ())

    checks = (sizing.check_partitions, sizing.check_replication)
    fast = [_findings(check, context()) for check in checks]
    monkeypatch.setattr(sizing, "_within", lambda values, bounds: False)
    assert fast == [_findings(check, context()) for check in checks]
