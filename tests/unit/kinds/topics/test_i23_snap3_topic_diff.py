"""The topic diff passes over an unchanged topic without building its config changes, and matches
the protected patterns once for all names (issue 23: a plan of 100,000 topics): the same entries and
warnings as the full comparison, for random catalogs and clusters (values in other forms, ignored
and platform keys, protected names, fewer and more partitions) on every platform."""

from __future__ import annotations

import random

import pytest

from kgov.catalog.model import Environment, Ownership, Settings, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.kinds.base import DiffContext
from kgov.kinds.ownership import is_protected, protected_patterns
from kgov.kinds.topics import diff
from kgov.kinds.topics.observe import ObservedTopics
from kgov.platforms import NAMES
from kgov.state import TopicSpec

SRC = Source("kgov.yaml", YamlDoc({}, {}))
NAMES_ = ("svc.a", "svc.b", "svc.c", "_internal", "__consumer_offsets", "legacy.x", "svc.d", "svc.e")
# (key, a value as the catalog normalises it, the same value as a cluster may report it)
VALUES = (
    ("retention.ms", "604800000", "604800000"),
    ("retention.ms", "3600000", "3600000"),
    ("retention.ms", "604800000", "7d"),
    ("cleanup.policy", "compact,delete", "delete,compact"),
    ("cleanup.policy", "delete", "delete"),
    ("min.insync.replicas", "2", "2"),
    ("unclean.leader.election.enable", "true", "true"),
    ("max.message.bytes", "1048576", "1048576"),
    ("confluent.tier.enable", "true", "true"),
    ("redpanda.remote.read", "true", "true"),
    ("flush.ms", "100", "100"),
    ("segment.bytes", "1073741824", " 1073741824"),
    ("x.unknown.key", "v", "v"),
)


def config(rng: random.Random, cluster: bool) -> dict[str, str]:
    out = {}
    for key, want, seen in rng.sample(VALUES, rng.randrange(0, 4)):
        # the cluster's words; now and then the catalog's too (diff_topics does not assume them normal)
        out[key] = seen if rng.random() < (0.5 if cluster else 0.3) else want
    return out


@pytest.mark.parametrize("seed", range(300))
def test_the_same_plan_as_comparing_every_topic(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    protected = tuple(rng.sample(("_*", "legacy.*", "svc.e", "__*"), rng.randrange(0, 3)))
    ignore = tuple(rng.sample(("confluent.*", "redpanda.*", "flush.*", "x.*"), rng.randrange(0, 3)))
    env = Environment(SRC, (), name="e", platform=rng.choice(NAMES))
    settings = Settings(SRC, (), ownership=Ownership(protected, rng.random() < 0.5, ignore))
    ctx = DiffContext(env, settings, allow_delete=rng.random() < 0.5)
    desired, observed = {}, {}
    for name in rng.sample(NAMES_, rng.randrange(0, len(NAMES_))):
        want = TopicSpec(name, rng.choice((1, 3, 6)), 3, config(rng, cluster=False))
        desired[name] = want
        if rng.random() < 0.8:  # on the cluster: mostly as wanted, in the cluster's words
            same = rng.random() < 0.6
            observed[name] = TopicSpec(
                name,
                want.partitions if same else rng.choice((1, 3, 6)),
                3,
                dict(want.config) if same and rng.random() < 0.5 else config(rng, cluster=True),
            )
    for name in rng.sample(("svc.stray", "legacy.y"), rng.randrange(0, 3)):
        observed[name] = TopicSpec(name, 2, 3, {})
    seen = ObservedTopics(observed)

    found = diff.diff_topics(desired, seen, ctx)
    monkeypatch.setattr(diff, "_unchanged", lambda want, have, ignore: False)
    assert found == diff.diff_topics(desired, seen, ctx)
    patterns = protected_patterns(protected)
    blocked = {e.name for e in found[0] if e.action == "blocked" and "protected" in (e.reason or "")}
    assert blocked == {n for n in desired if is_protected(n, patterns)}


def test_an_unchanged_value_in_another_form_is_still_compared() -> None:
    want = TopicSpec("svc.a", 1, 3, {"segment.bytes": " 1073741824"})  # not normalised: not settled
    assert not diff._unchanged(want, want, ())
    assert diff._unchanged(TopicSpec("svc.a", 1, 3, {"segment.bytes": "1073741824"}), want, ()) is False
