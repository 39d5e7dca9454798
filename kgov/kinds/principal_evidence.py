"""Deletes that show their evidence, for a principal's ACL bindings and its SCRAM user: whether the
principal has consumer groups that hold committed offsets, or open transactions.

Shared by the ACL and user kinds (here, not in one kind's package, so that no kind imports another).
Read once per plan, whatever the number of deletes, through the plan's ReadOnce ports
(kgov/engine/reads.py): the ACL bindings (the ACL kind's one DescribeAcls), the consumer groups and
their committed offsets (the same ListGroups and OffsetFetch calls the topics' evidence makes: read
once for both), and the open transactions (one ListTransactions per broker, on the reassignment
port's kafka-python client: confluent-kafka has no such call).

Kafka does not say which principal a group or a transactional id belongs to; kgov attributes them
through the principal's bindings: a group its allow READ (or ALL) binding on the group covers (a
literal name, `*`, or a prefix; the bindings on the cluster and those the plan creates, which the
catalog's acls file declares), a transactional id its allow WRITE (or ALL) binding on
transactional ids covers.

In use (a delete is blocked unless --allow-delete-active, as a topic's is):
- a SCRAM user: one of its principal's groups holds committed offsets, or it has an open transaction;
- a binding that lets the principal consume (READ or ALL on a group, or on a topic): a group it
  covers (on a topic: a group of the principal) holds committed offsets (on a topic it covers);
- a binding on transactional ids (WRITE or ALL): a transactional id it covers has an open transaction.
Any other delete of the principal (a DESCRIBE, a WRITE on a topic, a deny) carries the principal's
evidence as a note. Kafka's admin API does not say when a group committed: a group that still holds
offsets counts as in use (Kafka drops an empty group's offsets after offsets.retention.minutes,
7 days by default), as for topics. What could not be read (a refused group, the listing of
transactions) blocks the same way when it could decide the delete ("may be in use")."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from kgov.bindings import Binding
from kgov.errors import ClusterError
from kgov.kinds.base import DiffContext
from kgov.plan.model import EVIDENCE, Entry
from kgov.redact import redact

SHOWN = 5  # groups, topics or transactional ids named in one line; the rest are counted
CONSUME = frozenset({"READ", "ALL"})
TRANSACT = frozenset({"WRITE", "ALL"})


@dataclass(frozen=True)
class Usage:
    """What the cluster says of the principals' use, for one plan's deletes."""

    bindings: tuple[Binding, ...]  # on the cluster, plus those the plan creates
    committed: Mapping[str, frozenset[str]]  # group -> the topics it holds committed offsets on
    listed: frozenset[str]  # every consumer group id
    denied: frozenset[str] = frozenset()  # groups whose offsets Kafka would not give
    groups_unread: str | None = None  # why no group was read
    open_txns: Mapping[str, str] = field(default_factory=dict)  # transactional id -> state
    txns_unread: str | None = None  # why the open transactions were not read (a refusal: blocks)
    txns_absent: bool = False  # no port lists them (an in-memory plan without one): said, not blocking


@dataclass(frozen=True)
class Judged:
    in_use: str | None  # what makes it in use, or None
    unread: str | None  # what could not be read that could make it in use


def read_usage(
    kafka: Any,
    transactions: Any,
    entries: Sequence[Entry],
    principals: frozenset[str],
    planned: Sequence[Entry] = (),
) -> Usage:
    """`kafka`: the Kafka port; `transactions`: the reassignment port (None: the environment has
    none, the transactions are not read); `principals`: those whose deletes are judged; `planned`:
    the entries of the kinds planned before.

    The offsets are read of the deleted principals' groups only (a revocation is common, and a
    cluster may hold thousands of groups, an OffsetFetch each), unless this plan deletes a topic:
    the topics' evidence has then read every group's, and the same call is answered from it."""
    creates = tuple(Binding.from_json(e.after) for e in entries if e.kind == "acl" and e.action == "create")
    try:
        bindings = tuple(kafka.describe_acls()) + creates
    except ClusterError as exc:
        bindings, unread = creates, redact(exc.message)
        return Usage(bindings, {}, frozenset(), groups_unread=unread, txns_unread=unread)
    try:
        groups = list(kafka.list_groups())
        if not any(e.kind == "topic" and e.action == "delete" for e in planned):
            theirs = [b for b in bindings if b.principal in principals]
            theirs = [b for b in theirs if _allows(b, b.principal, "group", CONSUME)]
            groups = [g for g in groups if any(covers(b, g) for b in theirs)]
        offsets = kafka.group_offsets(groups) if groups else None
    except ClusterError as exc:
        usage = Usage(bindings, {}, frozenset(), groups_unread=redact(exc.message))
    else:
        committed = {
            g: frozenset(t for t, _ in parts) for g, parts in (offsets.offsets if offsets else {}).items()
        }
        denied = frozenset(offsets.errors) if offsets else frozenset()
        usage = Usage(bindings, committed, frozenset(groups) | frozenset(committed), denied)
    if transactions is None:
        return replace(usage, txns_absent=True)
    try:
        return replace(usage, open_txns=dict(transactions.open_transactions()))
    except ClusterError as exc:
        return replace(usage, txns_unread=redact(exc.message))


def covers(b: Binding, name: str) -> bool:
    """Whether the binding's resource pattern covers the name (Kafka's matching)."""
    if b.pattern == "prefixed":
        return name.startswith(b.name)
    return b.name in ("*", name)


def _allows(b: Binding, principal: str, resource: str, ops: frozenset[str]) -> bool:
    mine = b.principal == principal and b.permission == "allow"
    return mine and b.resource_type == resource and b.operation in ops


class Principal:
    """One principal's groups and open transactions, as the usage attributes them."""

    def __init__(self, usage: Usage, principal: str) -> None:
        self.usage = usage
        self.name = principal
        mine = [b for b in usage.bindings if b.principal == principal]
        self.group_bindings = [b for b in mine if _allows(b, principal, "group", CONSUME)]
        self.txn_bindings = [b for b in mine if _allows(b, principal, "transactional_id", TRANSACT)]
        self.groups = sorted(g for g in usage.listed if any(covers(b, g) for b in self.group_bindings))
        self.active = [g for g in self.groups if usage.committed.get(g)]
        self.denied = [g for g in self.groups if g in usage.denied]
        self.txns = sorted(t for t in usage.open_txns if any(covers(b, t) for b in self.txn_bindings))

    def groups_unread(self) -> str | None:
        if not self.group_bindings:
            return None  # it may commit in no group: nothing unread could change that
        if self.usage.groups_unread is not None:
            return f"its consumer groups were not read ({self.usage.groups_unread})"
        if self.denied:
            return f"the offsets of its consumer group(s) {_names(self.denied)} were not read"
        return None

    def txns_unread(self) -> str | None:
        if not self.txn_bindings or self.usage.txns_unread is None:
            return None  # without a transactional id it can open no transaction
        return f"its open transactions were not read ({self.usage.txns_unread})"

    def describe(self) -> str:
        """The principal's evidence in one line, for a reviewer."""
        if self.active:
            shown = [f"{g} (on {_names(sorted(self.usage.committed[g]))})" for g in self.active]
            groups = f"consumer groups of {self.name} with committed offsets: {_names(shown)}"
        else:
            groups = f"no consumer group of {self.name} holds committed offsets"
        if self.txns:
            txns = "open transactions: " + _names([f"{t} ({self.usage.open_txns[t]})" for t in self.txns])
        elif self.usage.txns_absent and self.txn_bindings:
            txns = "open transactions not read (no connection lists them)"
        else:
            txns = "no open transaction"
        unread = "; ".join(x for x in (self.groups_unread(), self.txns_unread()) if x)
        return f"{groups}; {txns}" + (f"; {unread}" if unread else "")

    def judge_user(self) -> Judged:
        why = []
        if self.active:
            why.append(f"consumer group(s) {_names(self.active)} hold committed offsets")
        if self.txns:
            why.append(f"transactional id(s) {_names(self.txns)} have an open transaction")
        unread = "; ".join(x for x in (self.groups_unread(), self.txns_unread()) if x)
        return Judged(" and ".join(why) or None, unread or None)

    def judge_binding(self, b: Binding) -> Judged:
        if b.permission != "allow":
            return Judged(None, None)  # revoking a deny takes nothing away
        if b.resource_type == "group" and b.operation in CONSUME:
            active = [g for g in self.active if covers(b, g)]
            denied = [g for g in self.denied if covers(b, g)]
            why = f"consumer group(s) {_names(active)} hold committed offsets" if active else None
            return Judged(why, self._unread_groups(denied))
        if b.resource_type == "topic" and b.operation in CONSUME:
            on = {g: sorted(t for t in self.usage.committed[g] if covers(b, t)) for g in self.active}
            using = [f"{g} (on {_names(ts)})" for g, ts in on.items() if ts]
            why = f"its consumer group(s) {_names(using)} hold committed offsets" if using else None
            return Judged(why, self._unread_groups(self.denied))
        if b.resource_type == "transactional_id" and b.operation in TRANSACT:
            open_ = [t for t in self.txns if covers(b, t)]
            why = f"transactional id(s) {_names(open_)} have an open transaction" if open_ else None
            return Judged(why, self.txns_unread())
        return Judged(None, None)

    def _unread_groups(self, denied: list[str]) -> str | None:
        if self.usage.groups_unread is not None and self.group_bindings:
            return f"its consumer groups were not read ({self.usage.groups_unread})"
        return f"the offsets of consumer group(s) {_names(denied)} were not read" if denied else None


def _names(names: Sequence[str]) -> str:
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more


HINT = "stop its consumers and producers first, or plan with {flags} to {what} anyway"


def principal_evidence(
    kafka: Any,
    transactions: Any,
    entries: Sequence[Entry],
    ctx: DiffContext,
    principal_of: Callable[[Entry], str],
    judge: Callable[[Principal, Entry], Judged],
    subject: Callable[[Entry], str],
    planned: Sequence[Entry] = (),
) -> list[Entry]:
    """The entries with their deletes judged: `principal_of` names an entry's principal, `judge`
    decides it, `subject` names it for the reason ("SCRAM user orders", "ACL binding allow ...")."""
    principals = frozenset(principal_of(e) for e in entries if e.action == "delete")
    usage = read_usage(kafka, transactions, entries, principals, planned)
    seen: dict[str, Principal] = {}
    out: list[Entry] = []
    for entry in entries:
        if entry.action != "delete":
            out.append(entry)
            continue
        who = principal_of(entry)
        principal = seen.get(who) or seen.setdefault(who, Principal(usage, who))
        said = principal.describe()
        found = judge(principal, entry)
        if (found.in_use or found.unread) and not ctx.allow_delete_active:
            why = (
                f"is in use: {found.in_use}"
                if found.in_use
                else f"may be in use (kgov could not read all of its evidence): {found.unread}"
            )
            # a revocation needs no --allow-delete (kgov/kinds/acl); a user's delete does
            what, flags = (
                ("revoke it", "--allow-delete-active")
                if entry.kind == "acl"
                else ("delete it", "--allow-delete --allow-delete-active")
            )
            out.append(
                replace(
                    entry,
                    action="blocked",
                    reason=f"{subject(entry)} {why}. Evidence: {said}",
                    hint=HINT.format(flags=flags, what=what),
                )
            )
        else:
            out.append(replace(entry, notes=(*entry.notes, f"{EVIDENCE}{said}")))
    return out
