"""What every rule sees: the catalog, the environments to check, and indexes computed once."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from operator import attrgetter
from typing import Any

from kgov.catalog.model import DEFAULT_TOPIC_NAME, Catalog, Environment, Policy, Topic
from kgov.catalog.patterns import NamePattern, PatternError, compile_pattern
from kgov.kafka_configs import ConfigValueError, normalize

_TOPICS = attrgetter("topics")
# Types whose equal values are the same value to every rule (normalize's cache is typed too).
_PLAIN = frozenset({str, int, bool})


@dataclass
class Context:
    catalog: Catalog
    environments: tuple[Environment, ...]

    @property
    def policy(self) -> Policy:
        return self.catalog.settings.policy

    @cached_property
    def topics(self) -> tuple[Topic, ...]:
        return tuple(chain.from_iterable(map(_TOPICS, self.catalog.topic_files)))  # catalog.topics(), in C

    @cached_property
    def topic_names(self) -> frozenset[str]:
        return frozenset(self.name_list)

    @cached_property
    def _columns(self) -> dict[str, list[Any]]:
        return {}

    def column(self, field: str) -> list[Any]:
        """One field of every topic, in `topics`' order, read once for all the rules that ask (in
        C: a rule that looks at a whole column first answers most catalogs without a loop)."""
        found = self._columns.get(field)
        if found is None:
            found = self._columns[field] = list(map(attrgetter(field), self.topics))
        return found

    @cached_property
    def name_list(self) -> list[str]:
        """The names of `topics`, in the same order."""
        return self.column("name")

    @cached_property
    def names_text(self) -> str:
        """A newline, then each name followed by one: one text the name rules search in C instead of a
        call a name (a name ends where a "\n" follows; see `names_plain` for names holding one)."""
        return "\n".join(["", *self.name_list, ""])

    @cached_property
    def names_plain(self) -> bool:
        """True when no name holds "\n": then `names_text`'s lines are the names exactly."""
        return self.names_text.count("\n") == len(self.name_list) + 1

    @cached_property
    def names_reversed(self) -> str:
        """`names_text` backwards: a search for what names END with starts at a "\n" there."""
        return self.names_text[::-1]

    @cached_property
    def referenced_subjects(self) -> frozenset[str]:
        """The subjects the topics name as key_schema or value_schema."""
        refs = [*filter(None, self.column("key_schema")), *filter(None, self.column("value_schema"))]
        return frozenset(ref.subject for ref in refs)

    @cached_property
    def _config_index(self) -> tuple[dict[str, set[tuple[type, object]]], set[str]]:
        """Every config key the topics set, with its distinct (type, value)s; and the keys with a
        value of another type than _PLAIN's (or unhashable), whose values are not listed."""
        index: dict[str, set[tuple[type, object]]] = {}
        odd: set[str] = set()
        for config in filter(None, self.column("config")):
            for key, value in config.items():
                try:
                    index[key].add((type(value), value))
                except KeyError:
                    try:
                        index[key] = {(type(value), value)}
                    except TypeError:
                        odd.add(key)
                except TypeError:
                    odd.add(key)
        for key, seen in index.items():
            if any(kind not in _PLAIN for kind, _ in seen):
                odd.add(key)
        return index, odd

    @property
    def topic_config_keys(self) -> Set[str]:
        """Every key some topic's config sets."""
        index, odd = self._config_index
        return index.keys() | odd

    def topic_config_values(self, key: str) -> list[object] | None:
        """The distinct values topics set `key` to (none: []), each of a _PLAIN type, so a rule may
        judge each once for all the topics that set it; None when some value is of another type."""
        index, odd = self._config_index
        if key in odd:
            return None
        return [value for _, value in index.get(key, ())]

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
        if not self.parts_are_split:
            return tuple(self.parts(t.name) for t in self.topics)
        split = [topic.name.partition(".") for topic in self.topics]
        return tuple([(head, tail) if dot else ("", head) for head, dot, tail in split])  # a list: faster

    @cached_property
    def parts_are_split(self) -> bool:
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
