"""Deletes that show their evidence, for subjects: a subject named after a topic (TopicNameStrategy:
`<topic>-key`, `<topic>-value`) is still in use while the catalog declares that topic (its producers
may register and read it, whether or not the catalog names the schema), or while the topic is on
the cluster and this plan does not delete it. One DescribeTopics batch for all the deleted subjects'
topics, through the Kafka port; the catalog's topics come with the DiffContext.
A subject in use is blocked with the evidence unless --allow-delete-active (as topics are,
kgov/kinds/topics/evidence.py); any other delete carries the evidence in a note."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from kgov.errors import ClusterError
from kgov.kinds.base import DiffContext
from kgov.plan.model import EVIDENCE, Entry
from kgov.redact import redact

SUFFIXES = ("-key", "-value")


def topic_of(subject: str) -> str | None:
    for suffix in SUFFIXES:
        if subject.endswith(suffix) and len(subject) > len(suffix):
            return subject[: -len(suffix)]
    return None


def subject_evidence(
    kafka: Any, entries: Sequence[Entry], ctx: DiffContext, planned: Sequence[Entry]
) -> list[Entry]:
    """`kafka`: the Kafka port, or None when the environment has none (no evidence then)."""
    named = {e.name: topic_of(e.name) for e in entries if e.action == "delete"}
    topics = sorted({t for t in named.values() if t is not None})
    declared = ctx.catalog_topics
    if not topics or (kafka is None and not declared.intersection(topics)):
        return list(entries)
    gone = {e.name for e in planned if e.kind == "topic" and e.action == "delete"}
    unread: str | None = None
    live: set[str] = set()
    if kafka is not None:
        try:
            listing = kafka.describe_topics(topics)
        except ClusterError as exc:
            unread = redact(exc.message)
        else:
            live = {t.name for t in listing.topics}
    out: list[Entry] = []
    for entry in entries:
        topic = named.get(entry.name) if entry.action == "delete" else None
        if topic is None or (kafka is None and topic not in declared):
            out.append(entry)
            continue
        on_cluster = topic in live and topic not in gone
        in_use = topic in declared or on_cluster
        # a topic the catalog keeps: its producers may register and read the subject again
        said = f"topic {topic} in the catalog still names it" if topic in declared else ""
        if kafka is None:
            pass  # no cluster to ask: the catalog's word alone
        elif unread is not None:
            said = _also(said, f"whether topic {topic} is on the cluster was not read ({unread})")
        elif on_cluster:
            said = _also(said, f"topic {topic} on the cluster still uses it and this plan does not delete it")
        elif topic in gone:
            said = _also(said, f"its topic {topic} is deleted by this plan")
        else:
            said = _also(said, f"no topic {topic} on the cluster")
        if (in_use or unread is not None) and not ctx.allow_delete_active:
            out.append(
                replace(
                    entry,
                    action="blocked",
                    reason=f"subject {entry.name} is in use: {said}",
                    hint="delete the topic too (remove it from the catalog), or plan with "
                    "--allow-delete --allow-delete-active to delete the subject anyway",
                )
            )
        else:
            out.append(replace(entry, notes=(*entry.notes, f"{EVIDENCE}{said}")))
    return out


def _also(first: str, then: str) -> str:
    return f"{first}; {then}" if first else then
