"""Carry out `reassign` entries: throttle, submit in one request, wait with progress, remove the
throttle, optionally elect the preferred leaders. One outcome per address.

The throttle is Kafka's own: the brokers' leader/follower.replication.throttled.rate (one config
request per broker: confluent-kafka takes one BROKER resource per call) and, per topic, the
replicas it applies to (leader.replication.throttled.replicas: the current replicas of the moving
partitions; follower...: the new ones). It is removed in a `finally`, after success or failure;
a broker that is down cannot have its config removed: the outcome says what is left, and the next
apply removes it. Ctrl-C leaves the reassignments running (Kafka goes on without kgov) with their
throttle, which they still need, and says how to resume; `--no-wait` likewise returns at once. The
next apply waits for them and then removes the throttle.
A partition already moving (by kgov earlier, or anyone) is never submitted again: apply waits for it.
Before it writes anything, apply reads kgov's rights again (the plan's may be old): an entry it lacks
one for stops every entry, with the right named, and nothing is started (kgov/kinds/replicas/rights.py).
A throttle left behind (`update` entries, kgov/kinds/replicas/leftover.py) is removed after one more
read of kgov's rights (ALTER_CONFIGS on the topic, on the cluster for a broker's rate: one missing
refuses every entry, nothing is removed) and of the reassignments in progress: a topic that started
moving since the plan keeps it (kgov/kinds/replicas/unthrottle.py).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kgov.cluster.kafka.port import ConfigOp, Partition
from kgov.cluster.kafka.reassign_port import Reassignment
from kgov.cluster.kafka.replica_port import BROKER_THROTTLES, TOPIC_THROTTLES, ReplicaPort
from kgov.errors import KgovError
from kgov.kinds.base import ApplyOptions
from kgov.kinds.rates import DEFAULT_THROTTLE, about, duration, rate, size
from kgov.kinds.replicas.leftover import is_cleanup
from kgov.kinds.replicas.rights import lacking, refusal, refusals
from kgov.kinds.replicas.unthrottle import check_unthrottle_rights, joined, left_text, remove_leftovers
from kgov.plan.model import Entry

# A reassignment whose new replicas are on brokers that stay down makes no progress: after this long
# without a byte copied while a target broker is not live, apply stops waiting and reports it.
STALLED_S = 30.0
UNTHROTTLE_RETRY_S = 1.0  # before the second try of removing a topic's throttle
LIST_S = 0.5  # between reads of the reassignments in progress (one request)
RESUME = (
    "run `kgov apply` again with the same catalog: it waits for the running reassignments "
    "and removes the throttle"
)


@dataclass
class _Moves:
    """The partitions of the entries, by address, and what to submit."""

    owner: dict[Partition, str] = field(default_factory=dict)  # partition -> entry address
    submit: dict[Partition, tuple[int, ...]] = field(default_factory=dict)  # partition -> target
    current: dict[Partition, tuple[int, ...]] = field(default_factory=dict)
    targets: dict[Partition, tuple[int, ...]] = field(default_factory=dict)


def _moves(entries: Sequence[Entry]) -> _Moves:
    """The partitions the entries move: a `partition.N` row is one to submit (detail `reassign`) or
    one already moving that apply waits for (`in_progress`: its listed replicas are Kafka's whole
    set while it runs, which for an increase already equals the target)."""
    found = _Moves()
    for e in entries:
        for c in e.changes:
            if not c.field.startswith("partition.") or c.detail not in ("reassign", "in_progress"):
                continue
            key = (e.name, int(c.field.removeprefix("partition.")))
            found.owner[key] = e.address
            found.current[key] = tuple(int(b) for b in c.before)
            found.targets[key] = tuple(int(b) for b in c.after)
            if c.detail == "reassign":
                found.submit[key] = found.targets[key]
    return found


def _topic_throttles(moves: _Moves, keys: Sequence[Partition]) -> dict[str, list[ConfigOp]]:
    leader: dict[str, list[str]] = {}
    follower: dict[str, list[str]] = {}
    for topic, p in sorted(keys):
        current, target = moves.current[(topic, p)], moves.targets[(topic, p)]
        leader.setdefault(topic, []).extend(f"{p}:{b}" for b in current)
        follower.setdefault(topic, []).extend(f"{p}:{b}" for b in target if b not in current)
    return {
        t: [
            ConfigOp(TOPIC_THROTTLES[0], ",".join(leader[t])),
            ConfigOp(TOPIC_THROTTLES[1], ",".join(follower.get(t, [])) or ",".join(leader[t])),
        ]
        for t in sorted(leader)
    }


def apply_replicas(
    port: ReplicaPort, entries: Sequence[Entry], options: ApplyOptions
) -> Mapping[str, str | None]:
    say = options.report
    leftovers = [e for e in entries if is_cleanup(e)]
    if leftovers:
        refused_by_rights = check_unthrottle_rights(port, entries, leftovers)
        if refused_by_rights is not None:
            return refused_by_rights
        cleaned = remove_leftovers(port, leftovers, options)
        rest = [e for e in entries if not is_cleanup(e)]
        return {**cleaned, **(apply_replicas(port, rest, options) if rest else {})}
    throttle = options.throttle or DEFAULT_THROTTLE
    errors: dict[str, list[str]] = {e.address: [] for e in entries}
    moves = _moves(entries)
    keys = sorted(moves.owner)
    running = {(r.topic, r.partition) for r in port.list_partition_reassignments(keys)} if keys else set()
    submit = {k: t for k, t in moves.submit.items() if k not in running}  # never a second submit
    if keys:
        refused_by_rights = _check_rights(port, entries, moves, submit, options)
        if refused_by_rights is not None:
            return refused_by_rights
    brokers = sorted(b.id for b in port.describe_brokers())
    throttled_brokers: list[int] = []
    throttled_topics: list[str] = []
    keep_throttle = False
    started: set[Partition] = set()
    try:
        # -- throttle first: a reassignment never runs unthrottled because of kgov -------------
        rates = {b: [ConfigOp(k, str(throttle)) for k in BROKER_THROTTLES] for b in brokers}
        throttled_brokers = brokers
        refused = {b: e for b, e in port.alter_broker_configs(rates).items() if e is not None}
        topic_ops = _topic_throttles(moves, keys)
        throttled_topics = sorted(topic_ops)
        if not refused and topic_ops:
            refused |= {t: e for t, e in port.alter_topic_configs(topic_ops).items() if e is not None}
        if refused:
            first = sorted(refused.items())[0]
            for address in errors:
                errors[address].append(
                    f"the replication throttle could not be set ({first[0]}: {first[1]}); nothing was started"
                )
            return joined(errors)
        say(f"replication throttle set: {rate(throttle)} per broker on brokers {_ids(brokers)}")
        # -- submit everything at once ---------------------------------------------------------
        if submit:
            outcome = port.alter_partition_reassignments(submit)
            for key, error in sorted(outcome.items()):
                if error is not None:
                    errors[moves.owner[key]].append(f"partition {key[1]}: {error}")
            say(f"{sum(e is None for e in outcome.values())} partition reassignment(s) started")
        if running:
            say(f"{len(running)} partition reassignment(s) already in progress: waiting for them")
        started = {k for k in keys if k in running or (k in submit and not _failed(errors, moves, k))}
        if not options.wait:
            keep_throttle = bool(started)
            if started:
                say(f"--no-wait: {len(started)} partition(s) moving; the throttle stays until then: {RESUME}")
            return joined(errors)
        unfinished = _wait(port, moves, sorted(started), options)
        for key in unfinished:
            errors[moves.owner[key]].append(
                f"partition {key[1]} did not finish moving to brokers {_ids(moves.targets[key])}"
            )
        if options.elect_leaders:
            done = [k for k in sorted(started) if k not in unfinished]
            for key, error in sorted(port.elect_leaders(done).items()) if done else ():
                if error is not None and not error.startswith("ELECTION_NOT_NEEDED"):
                    errors[moves.owner[key]].append(f"leader election of partition {key[1]}: {error}")
            say(f"preferred leader election run for {len(done)} partition(s)")
    except KeyboardInterrupt:
        # The reassignments go on without kgov; their throttle is still needed (removed, they would
        # take all the brokers' bandwidth), so it stays until the next apply sees them end.
        keep_throttle = bool(started)
        still = "with the throttle kept" if keep_throttle else "nothing was started"
        say(f"interrupted: the reassignments go on on the cluster ({still}); {RESUME}")
        raise
    finally:
        if not keep_throttle:
            left, topics_left = _unthrottle(port, throttled_brokers, throttled_topics)
            by_topic = {e.name: e.address for e in entries}
            for topic, error in sorted(topics_left.items()):
                if topic in by_topic:
                    errors[by_topic[topic]].append(left_text(f"topic {topic} ({error})"))
            if left:
                for address in errors:
                    errors[address].append(
                        left_text(", ".join(left), broker=all(w.startswith("broker ") for w in left))
                    )
            elif throttled_brokers and not topics_left:
                say("replication throttle removed")
    return joined(errors)


def _check_rights(
    port: ReplicaPort,
    entries: Sequence[Entry],
    moves: _Moves,
    submit: Mapping[Partition, tuple[int, ...]],
    options: ApplyOptions,
) -> dict[str, str | None] | None:
    """None when kgov may do all it is about to; else every entry's refusal (nothing is written)."""
    rights = port.rights(sorted({t for t, _ in moves.owner}))
    missing: dict[str, list[str]] = {}
    for e in entries:
        mine = [k for k, address in moves.owner.items() if address == e.address]
        if not mine:
            continue
        # ALTER on the cluster for a submit or an election; waiting needs only the throttle's rights
        found = lacking(rights, e.name, options.elect_leaders or any(k in submit for k in mine))
        if found:
            missing[e.address] = found
    return refusals([e.address for e in entries], missing, refusal)


def _failed(errors: Mapping[str, list[str]], moves: _Moves, key: Partition) -> bool:
    return any(m.startswith(f"partition {key[1]}:") for m in errors[moves.owner[key]])


def _ids(ids: Sequence[int]) -> str:
    return ", ".join(str(i) for i in ids)


def _unthrottle(
    port: ReplicaPort, brokers: Sequence[int], topics: Sequence[str]
) -> tuple[list[str], dict[str, str]]:
    """Remove the throttle; what could not be removed: the brokers (said to every entry) and the
    topics (said to the topic's entry), each with its error."""
    left: list[str] = []
    topics_left: dict[str, str] = {}
    try:
        if brokers:
            ops = {b: [ConfigOp(k, None) for k in BROKER_THROTTLES] for b in brokers}
            left += [f"broker {b} ({e})" for b, e in sorted(port.alter_broker_configs(ops).items()) if e]
        for attempt in range(2):  # a topic's config goes to any broker: the first pick may be one just died
            ops_t = {t: [ConfigOp(k, None) for k in TOPIC_THROTTLES] for t in (topics_left or topics)}
            if not ops_t:
                break
            topics_left = {t: e for t, e in port.alter_topic_configs(ops_t).items() if e is not None}
            if not topics_left:
                break
            if attempt == 0:
                time.sleep(UNTHROTTLE_RETRY_S)
    except KgovError as exc:
        left.append(f"the cluster ({exc.message})")
    return left, topics_left


def _wait(
    port: ReplicaPort, moves: _Moves, keys: Sequence[Partition], options: ApplyOptions
) -> list[Partition]:
    """Wait until none of `keys` is moving; return those that stalled (a target broker down) or
    that were still moving when the cluster stopped answering for STALLED_S.

    The listing (one request) is read every LIST_S, so the end is seen soon after it comes; the
    sizes (a request per broker), the brokers and a progress line every options.poll_s. A read that
    fails (a broker died under it) is tried again on the next round: the reassignments go on."""
    say = options.report
    if not keys:
        return []
    progress = _Progress(len(keys), time.monotonic())
    unfinished: list[Partition] = list(keys)
    failing_since: float | None = None
    while True:
        try:
            moving = {(r.topic, r.partition): r for r in port.list_partition_reassignments(list(keys))}
            unfinished = sorted(moving)
            if not moving:
                say(f"all {len(keys)} partition(s) moved in {duration(time.monotonic() - progress.begun)}")
                return []
            stalled = progress.report(port, keys, moving, options) if progress.due() else []
        except KgovError as exc:
            now = time.monotonic()
            if failing_since is None:
                failing_since = now
                say(f"reading the reassignments failed ({exc.message}); trying again")
            elif now - failing_since >= STALLED_S:
                say(f"the cluster has not answered for {duration(now - failing_since)}; {RESUME}")
                return unfinished
        else:
            failing_since = None
            if stalled:
                say(
                    f"{len(stalled)} partition(s) stopped: a broker of their replica lists is not live; "
                    f"they finish once it is back ({RESUME})"
                )
                return stalled
        time.sleep(min(LIST_S, options.poll_s))


@dataclass
class _Progress:
    """What the progress lines count: bytes each partition's new replicas copy in all, and hold so
    far (all of it once the partition moved), since `begun`."""

    count: int
    begun: float
    whole: dict[Partition, int] = field(default_factory=dict)
    have: dict[Partition, int] = field(default_factory=dict)
    first: int | None = None
    last_copied: int = -1
    last_progress: float = field(default_factory=time.monotonic)
    next_report: float = 0.0

    def due(self) -> bool:
        return time.monotonic() >= self.next_report

    def report(
        self,
        port: ReplicaPort,
        keys: Sequence[Partition],
        moving: Mapping[Partition, Reassignment],
        options: ApplyOptions,
    ) -> list[Partition]:
        """Read sizes and live brokers, say a progress line; the partitions that stalled."""
        for key in keys:
            if key not in moving and key in self.whole:
                self.have[key] = self.whole[key]
        live = {b.id for b in port.describe_brokers()}
        logs = port.describe_log_dirs(sorted(moving), sorted(live))
        self.next_report = time.monotonic() + options.poll_s
        for key, r in moving.items():
            on = logs.sizes.get(key, {})
            size_of = max((on.get(b, 0) for b in r.replicas if b not in r.adding), default=0)
            self.whole[key] = max(self.whole.get(key, 0), size_of * len(r.adding))
            self.have[key] = min(sum(min(on.get(b, 0), size_of) for b in r.adding), self.whole[key])
        copied, need = sum(self.have.values()), sum(self.whole.values())
        self.first = copied if self.first is None else self.first
        elapsed = time.monotonic() - self.begun
        speed = (copied - self.first) / elapsed if elapsed > 0 else 0.0
        left = f", {about((need - copied) / speed)} left" if speed > 0 and need > copied else ""
        moved = f"{self.count - len(moving)} of {self.count} partition(s) moved"
        options.report(f"{moved}; {size(copied)} of {size(need)} copied ({rate(speed)}{left})")
        now = time.monotonic()
        if copied != self.last_copied:
            self.last_copied, self.last_progress = copied, now
        blocked = sorted(k for k, r in moving.items() if any(b not in live for b in r.adding + r.replicas))
        return blocked if blocked and now - self.last_progress >= STALLED_S else []
