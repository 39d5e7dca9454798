"""What every rule sees: the catalog, the environments to check, and indexes computed once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from kgov.catalog.model import DEFAULT_TOPIC_NAME, Catalog, Environment, Policy, Topic
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

    @cached_property
    def _groups_of(self) -> dict[str, dict[str, str | None] | None]:
        return {}

    def name_match(self, name: str) -> dict[str, str | None] | None:
        """The named groups of policy.topic_name's full match of `name` ({} when it has none), None when
        it does not match or the pattern is refused. Several rules ask about each name: one RE2 call."""
        cache = self._groups_of
        if name not in cache:
            regex = self.name_regex
            match = regex.fullmatch(name) if regex is not None else None
            cache[name] = None if match is None else match.groupdict() if self._named_groups else {}
        return cache[name]

    @cached_property
    def _named_groups(self) -> bool:
        # RE2's groupdict() costs more than its match: ask for it only when the pattern has groups.
        return bool(getattr(self.name_regex, "groupindex", True))

    @cached_property
    def _parts_of(self) -> dict[str, tuple[str, str]]:
        return {}

    def parts(self, name: str) -> tuple[str, str]:
        """(service, event) of a topic name: the regex's named groups, else around the first dot.

        A name without a dot (and no `service` group) has no service part: ("", name). Three rules
        ask about each name: worked out once (at 100,000 topics, 0.4 s of lint's rules otherwise).
        """
        cache = self._parts_of
        found = cache.get(name)
        if found is None:
            found = cache[name] = self._parts(name)
        return found

    @cached_property
    def topic_parts(self) -> tuple[tuple[str, str], ...]:
        """`parts` of each of `topics`' names, in the same order (three rules walk them)."""
        if not self._parts_are_split:
            return tuple(self.parts(t.name) for t in self.topics)
        split = [topic.name.partition(".") for topic in self.topics]
        return tuple([(head, tail) if dot else ("", head) for head, dot, tail in split])  # a list: faster

    @cached_property
    def _parts_are_split(self) -> bool:
        """True when `parts` of every name is its split around the first dot, matched or not: the
        pattern is refused, has no `service` or `event` group, or is kgov's default (whose service
        group holds no dot, so a match splits at the first dot too). Then no name is matched for it."""
        regex = self.name_regex
        if regex is None or self.policy.topic_name == DEFAULT_TOPIC_NAME:
            return True
        groups = getattr(regex, "groupindex", None)
        return groups is not None and "service" not in groups and "event" not in groups

    def _parts(self, name: str) -> tuple[str, str]:
        groups = self.name_match(name)
        if groups:
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
