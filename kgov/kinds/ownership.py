"""What the catalog owns of the cluster's topics: the topics it names, plus (for deletes) its
services' name prefixes. Protected topics (glob patterns, `__*` and `_*` by default) are never
read, changed or deleted.

Shared by the kinds that follow the topics' ownership (topics, and subjects, which belong to their
topics): here, not in one kind's package, so that no kind imports another."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kgov.catalog.model import Catalog
from kgov.catalog.patterns import protected_matcher
from kgov.state import TopicSpec


@dataclass(frozen=True)
class TopicScope:
    names: tuple[str, ...]
    prefixes: tuple[str, ...]
    protected: tuple[str, ...]
    # Named topics whose configs are not read: apply watching its creations appear needs only the
    # listing (a poll of 5,000 new topics would otherwise describe all of them each time).
    unconfigured: tuple[str, ...] = ()
    # Exactly the named topics (a scoped plan): their metadata is asked for by name, not listed.
    exact: bool = False
    # apply's re-read of what it changed: its creations are missing until they show, not hidden
    watch: bool = False

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "names": list(self.names),
            "prefixes": list(self.prefixes),
            "protected": list(self.protected),
        }
        if self.unconfigured:
            doc["unconfigured"] = list(self.unconfigured)
        for flag in ("exact", "watch"):
            if getattr(self, flag):
                doc[flag] = True
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> TopicScope:
        return cls(
            tuple(doc["names"]),
            tuple(doc["prefixes"]),
            tuple(doc["protected"]),
            tuple(doc.get("unconfigured", ())),
            doc.get("exact") is True,
            doc.get("watch") is True,
        )

    def covers(self, name: str, named: frozenset[str] | None = None) -> bool:
        """Named by the catalog, or inside an owned prefix; and not protected."""
        if is_protected(name, self.protected):
            return False
        names = named if named is not None else frozenset(self.names)
        return name in names or (bool(self.prefixes) and name.startswith(self.prefixes))


# Kafka's own topics (__consumer_offsets, __transaction_state, …) are protected whatever kgov.yaml
# says: a custom `protected` list adds to this, it never exposes them.
ALWAYS_PROTECTED = ("__*",)


def protected_patterns(configured: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*ALWAYS_PROTECTED, *configured)))


def is_protected(name: str, patterns: tuple[str, ...]) -> bool:
    matcher = protected_matcher(patterns)
    return bool(matcher and matcher.match(name))


def matching_patterns(name: str, patterns: tuple[str, ...]) -> list[str]:
    """The patterns that protect `name` (to name them in a message; not all the list)."""
    return [p for p in patterns if fnmatch.fnmatchcase(name, p)]


def catalog_scope(catalog: Catalog, names: Sequence[str] | None = None) -> TopicScope:
    """What the catalog owns, read from the catalog alone: the scope plan uses (import too)."""
    named = names if names is not None else [t.name for t in catalog.topics()]
    return TopicScope(
        tuple(sorted(set(named))),
        tuple(f"{s}." for s in catalog.services()),
        protected_patterns(catalog.settings.ownership.protected),
    )


def unowned_topics(catalog: Catalog, topics: Iterable[TopicSpec]) -> list[TopicSpec]:
    """What `kgov import` adopts: the topics that no catalog scope owns and kgov does not protect
    (the topic kind imports them; the ACL kind's shorthand may name them)."""
    scope = catalog_scope(catalog)  # what plan owns; import takes the rest that is not protected
    return [t for t in topics if not scope.covers(t.name) and not is_protected(t.name, scope.protected)]
