"""What every rule sees: the catalog, the environments to check, and indexes computed once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from kgov.catalog.model import Catalog, Environment, Policy, Topic
from kgov.catalog.patterns import NamePattern, PatternError, compile_pattern
from kgov.kafka_configs import ConfigValueError, normalize


@dataclass
class Context:
    catalog: Catalog
    environments: tuple[Environment, ...]

    @property
    def policy(self) -> Policy:
        return self.catalog.settings.policy

    @cached_property
    def topics(self) -> tuple[Topic, ...]:
        return tuple(self.catalog.topics())

    @cached_property
    def topic_names(self) -> frozenset[str]:
        return frozenset(t.name for t in self.topics)

    @cached_property
    def name_regex(self) -> NamePattern | None:
        """The compiled policy.topic_name (RE2), or None if it is refused (reported by policy-settings)."""
        try:
            return compile_pattern(self.policy.topic_name)
        except PatternError:
            return None

    def parts(self, name: str) -> tuple[str, str]:
        """(service, event) of a topic name: the regex's named groups, else around the first dot.

        A name without a dot (and no `service` group) has no service part: ("", name).
        """
        regex = self.name_regex
        if regex is not None:
            match = regex.fullmatch(name)
            if match is not None:
                groups = match.groupdict()
                service, event = groups.get("service"), groups.get("event")
                if service is not None or event is not None:
                    head, _, tail = name.partition(".")
                    return (service if service is not None else head, event if event is not None else tail)
        head, dot, tail = name.partition(".")
        return (head, tail) if dot else ("", name)

    def config_value(self, config: Mapping[str, object], key: str) -> str | None:
        """A config in Kafka's form, or None when absent or invalid (reported by the configs rules)."""
        if key not in config:
            return None
        try:
            return normalize(key, config[key])
        except ConfigValueError:
            return None
