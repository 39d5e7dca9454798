"""Execute a plan's actions, batched by kind, and report an outcome for every action.

Apply does exactly what the plan says: it never re-diffs (staleness is checked before, by the
caller). Independent actions go on after a failure; each failure carries Kafka's error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kgov.cluster.observe import observe
from kgov.cluster.port import ClusterReader, ClusterWriter, ConfigOp, NewTopic, ObservedState, Outcome
from kgov.kafka_configs import canonical
from kgov.plan.model import (
    Action,
    AlterTopicConfig,
    Blocked,
    CreateTopic,
    DeleteTopic,
    IncreasePartitions,
    Plan,
    Scope,
)


@dataclass(frozen=True)
class ActionResult:
    action: Action
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


Progress = Callable[[str, int], None]  # (what is being done, how many actions)


def _pick(plan: Plan, kind: type) -> list[Action]:
    return [a for a in plan.actions if isinstance(a, kind)]


def apply_plan(
    plan: Plan, writer: ClusterWriter, progress: Progress | None = None
) -> tuple[ActionResult, ...]:
    if plan.blocked:
        raise ValueError("a plan with blocked actions cannot be applied")  # callers check first
    say = progress or (lambda _what, _n: None)
    results: list[ActionResult] = []

    def run(kind: type, what: str, call: Callable[[Sequence[Action]], Outcome]) -> None:
        actions = _pick(plan, kind)
        if not actions:
            return
        say(what, len(actions))
        outcome = call(actions)
        results.extend(ActionResult(a, outcome.get(a.name, "no answer from the cluster")) for a in actions)

    # Creates first, deletes last: a failed create never leaves a topic deleted in its place.
    run(
        CreateTopic,
        "creating topics",
        lambda acts: writer.create_topics(
            [
                NewTopic(a.name, a.partitions, a.replication_factor, a.config)
                for a in acts
                if isinstance(a, CreateTopic)
            ]
        ),
    )
    run(
        IncreasePartitions,
        "adding partitions",
        lambda acts: writer.create_partitions(
            {a.name: a.desired for a in acts if isinstance(a, IncreasePartitions)}
        ),
    )
    run(
        AlterTopicConfig,
        "changing configs",
        lambda acts: writer.alter_topic_configs(
            {
                a.name: [ConfigOp(c.key, c.desired) for c in a.changes]
                for a in acts
                if isinstance(a, AlterTopicConfig)
            }
        ),
    )
    run(DeleteTopic, "deleting topics", lambda acts: writer.delete_topics([a.name for a in acts]))
    assert not _pick(plan, Blocked)
    return tuple(results)


def _visible(action: Action, state: ObservedState) -> bool:
    topic = state.topics.get(action.name)
    if isinstance(action, DeleteTopic):
        return topic is None
    if topic is None:
        return False
    if isinstance(action, CreateTopic):
        return topic.partitions == action.partitions
    if isinstance(action, IncreasePartitions):
        return topic.partitions >= action.desired
    if isinstance(action, AlterTopicConfig):
        have = {k: canonical(k, v) for k, v in topic.config.items()}
        return all(have.get(c.key) == c.desired for c in action.changes)
    return True


def await_visible(
    plan: Plan, results: Sequence[ActionResult], reader: ClusterReader, timeout_s: float = 30.0
) -> tuple[str, ...]:
    """Wait until every successful action shows in what the cluster reports.

    Kafka acknowledges a change once the controller has it; the brokers' metadata follows a moment
    later. Waiting here means a plan right after apply sees the applied state. Returns the names of
    actions still not visible at the deadline. Each re-read is batched: one metadata request and
    the configs of the pending topics only.
    """
    pending = [r.action for r in results if r.ok]
    deadline = time.monotonic() + timeout_s
    delay = 0.05
    while pending:
        # re-read only what is pending; owned prefixes only when a delete must be seen gone
        names = tuple(sorted({a.name for a in pending}))
        deleting = any(isinstance(a, DeleteTopic) for a in pending)
        scope = Scope(names, plan.scope.prefixes if deleting else (), plan.scope.protected)
        state = observe(reader, scope)
        pending = [a for a in pending if not _visible(a, state)]
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
    return tuple(f"{a.kind} {a.name}" for a in pending)
