"""Platform profiles: what a managed Kafka does differently from Apache Kafka, as data.

An environment names its platform in kgov.yaml (`platform:`, default `apache`). Each profile is a
file of kgov/platform_data/ in which every entry names the page of the platform's documentation it
comes from (docs/platforms.md lists them): the config keys the platform manages or reports as
overrides (kgov neither sets nor resets them), the defaults it differs on (a value equal to them is
no drift, and a reset goes back to them), and the limits it enforces (lint refuses what the platform
would refuse). `apache` is the empty profile.

Low layer (beside kgov/kafka_configs.py): the topic kind's diff, lint and the broker-settings kind
read it; it reads nothing of theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from kgov.kafka_configs import TOPIC_CONFIGS, ConfigValueError, normalize
from kgov.suggest import close_match

NAMES = ("apache", "msk", "confluent-cloud", "aiven", "redpanda")  # kgov.schema.json's enum too
DEFAULT = "apache"


class ProfileError(ValueError):
    """A platform name kgov has no profile for, or a profile file that breaks its own format."""


@dataclass(frozen=True)
class Source:
    url: str
    title: str

    def cite(self) -> str:
        return f"{self.title} <{self.url}>"


@dataclass(frozen=True)
class Fact:
    """One entry of a profile: what it says, and the page that says it."""

    key: str
    why: str
    source: Source


@dataclass(frozen=True)
class Range:
    """Values of one topic config the platform accepts, in Kafka's form (bounds inclusive)."""

    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()

    def refuses(self, value: str) -> str | None:
        """Why the platform refuses a normalised value, or None when it accepts it."""
        if self.choices:
            items = [v.strip() for v in value.split(",")]
            bad = [v for v in items if v not in self.choices]
            return f"'{bad[0]}' is not one of {', '.join(self.choices)}" if bad else None
        try:
            number = float(value)
        except ValueError:
            return None  # not a number: kgov's own check reports it
        if self.min is not None and number < self.min:
            return f"{value} is below the platform's minimum {_num(self.min)}"
        if self.max is not None and number > self.max:
            return f"{value} is above the platform's maximum {_num(self.max)}"
        return None


@dataclass(frozen=True)
class Limits:
    not_settable: Mapping[str, Fact] = field(default_factory=dict)  # topic configs users may not set
    ranges: Mapping[str, Range] = field(default_factory=dict)  # topic config -> accepted values
    max_partitions_per_topic: int | None = None
    max_partitions_per_cluster: int | None = None  # over all the catalog's topics of the environment
    odd_replication_factor: bool = False


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    ignore_topic_configs: tuple[str, ...] = ()  # globs: kgov neither sets nor resets these topic keys
    ignore_broker_configs: tuple[str, ...] = ()  # globs, for the broker-settings kind
    topic_defaults: Mapping[str, str] = field(default_factory=dict)  # in Kafka's form
    broker_defaults: Mapping[str, str] = field(default_factory=dict)  # documented, not compared
    limits: Limits = Limits()
    facts: Mapping[str, Fact] = field(default_factory=dict)  # "<section>.<key>" -> its fact

    def fact(self, section: str, key: str) -> Fact | None:
        return self.facts.get(f"{section}.{key}")


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


@cache
def profile(name: str) -> Profile:
    """The profile of a platform name of kgov.yaml (the catalog's schema admits only NAMES)."""
    if name not in NAMES:
        guess = close_match(name, NAMES, 0.5)
        tail = f"; did you mean '{guess}'?" if guess else ""
        raise ProfileError(f"unknown platform '{name}' (known: {', '.join(NAMES)}){tail}")
    text = resources.files("kgov").joinpath("platform_data", f"{name}.yaml").read_text(encoding="utf-8")
    return parse(name, yaml.safe_load(text))


_TOP = {"title", "sources", "topic_configs", "broker_configs", "limits"}
_TOPIC = {"ignore", "defaults", "not_settable", "ranges"}
_BROKER = {"ignore", "defaults"}
_LIMITS = {"max_partitions_per_topic", "max_partitions_per_cluster", "odd_replication_factor"}


def parse(name: str, data: Any) -> Profile:
    """A profile from its file's data; a file that breaks the format is kgov's bug, said plainly."""

    def fail(what: str) -> ProfileError:
        return ProfileError(f"platform profile {name}: {what}")

    def mapping(value: Any, where: str, allowed: set[str] | None = None) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise fail(f"{where} is not a mapping")
        extra = sorted(set(value) - allowed) if allowed is not None else []
        if extra:
            raise fail(f"{where} has unknown field '{extra[0]}'")
        return value

    top = mapping(data, "the file", _TOP)
    sources = {}
    for key, raw in mapping(top.get("sources"), "sources").items():
        entry = mapping(raw, f"sources.{key}", {"url", "title"})
        if not str(entry.get("url", "")).startswith("https://") or not entry.get("title"):
            raise fail(f"sources.{key} needs an https url and a title")
        sources[key] = Source(str(entry["url"]), str(entry["title"]))
    facts: dict[str, Fact] = {}

    def entries(section: str, value: Any, extra: set[str]) -> dict[str, dict[str, Any]]:
        out = {}
        for key, raw in mapping(value, section).items():
            entry = mapping(raw, f"{section}.{key}", {"source", "why", *extra})
            if entry.get("source") not in sources or not entry.get("why"):
                raise fail(f"{section}.{key} needs a source of `sources` and a why")
            facts[f"{section}.{key}"] = Fact(str(key), str(entry["why"]), sources[entry["source"]])
            out[str(key)] = entry
        return out

    topic = mapping(top.get("topic_configs"), "topic_configs", _TOPIC)
    broker = mapping(top.get("broker_configs"), "broker_configs", _BROKER)
    limits = mapping(top.get("limits"), "limits", _LIMITS)
    defaults = {}
    for key, entry in entries("topic_configs.defaults", topic.get("defaults"), {"value"}).items():
        if key not in TOPIC_CONFIGS:
            raise fail(f"topic_configs.defaults.{key} is not a Kafka 4 topic config")
        try:
            defaults[key] = normalize(key, entry.get("value"))
        except ConfigValueError as exc:
            raise fail(f"topic_configs.defaults.{key}: {exc}") from None
    ranges = {}
    for key, entry in entries("topic_configs.ranges", topic.get("ranges"), {"min", "max", "choices"}).items():
        ranges[key] = Range(entry.get("min"), entry.get("max"), tuple(entry.get("choices", ())))
    not_settable = entries("topic_configs.not_settable", topic.get("not_settable"), set())
    shape = entries("limits", limits, {"max"})
    return Profile(
        name=name,
        title=str(top.get("title", name)),
        ignore_topic_configs=tuple(entries("topic_configs.ignore", topic.get("ignore"), set())),
        ignore_broker_configs=tuple(entries("broker_configs.ignore", broker.get("ignore"), set())),
        topic_defaults=defaults,
        broker_defaults={
            k: _text(e.get("value"))
            for k, e in entries("broker_configs.defaults", broker.get("defaults"), {"value"}).items()
        },
        limits=Limits(
            not_settable={k: facts[f"topic_configs.not_settable.{k}"] for k in not_settable},
            ranges=ranges,
            max_partitions_per_topic=_max(shape.get("max_partitions_per_topic")),
            max_partitions_per_cluster=_max(shape.get("max_partitions_per_cluster")),
            odd_replication_factor="odd_replication_factor" in shape,
        ),
        facts=facts,
    )


def _text(value: Any) -> str:
    """A value in Kafka's form: YAML's true/false as Kafka writes them."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _max(entry: Mapping[str, Any] | None) -> int | None:
    return None if entry is None else int(entry["max"])
