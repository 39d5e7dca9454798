"""In-memory ACLs and SCRAM users with Kafka's rules, mixed into MemoryCluster for unit tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kgov.bindings import PATTERNS, RESOURCE_TYPES, Binding
from kgov.cluster.kafka.access_port import (
    ABSENT,
    FAILED,
    HIDDEN,
    OK,
    VISIBLE,
    AccessOutcome,
    LoginAttempt,
    LoginResult,
    ScramCredential,
    ScramDelete,
    ScramUpsert,
    TopicAccess,
)

MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512")
MIN_ITERATIONS = 4096  # Kafka refuses fewer
MAX_ITERATIONS = 16384


class MemoryAccessMixin:
    requests: list[str]
    principal = "User:kgov"

    def _state(self) -> dict[str, Any]:
        # Created on first use so that MemoryCluster.__init__ needs no line of its own.
        state: dict[str, Any] = self.__dict__.setdefault("_access", {"acls": set(), "scram": {}})
        return state

    @property
    def acls(self) -> set[Binding]:
        acls: set[Binding] = self._state()["acls"]
        return acls

    @property
    def scram(self) -> dict[tuple[str, str], tuple[int, str]]:
        """(user, mechanism) -> (iterations, password): the twin keeps what Kafka would hash."""
        scram: dict[tuple[str, str], tuple[int, str]] = self._state()["scram"]
        return scram

    def describe_acls(self) -> Sequence[Binding]:
        self.requests.append("describe_acls")
        return sorted(self.acls)

    def describe_acls_of(self, principals: Sequence[str]) -> Sequence[Binding]:
        wanted = set(principals)
        self.requests.extend("describe_acls" for _ in wanted)
        return sorted(b for b in self.acls if b.principal in wanted)

    def create_acls(self, bindings: Sequence[Binding]) -> AccessOutcome:
        self.requests.append("create_acls")
        out: dict[str, str | None] = {}
        for b in bindings:
            if b.resource_type not in RESOURCE_TYPES or b.pattern not in PATTERNS or ":" not in b.principal:
                out[b.address] = "INVALID_REQUEST: invalid binding"
            else:
                self.acls.add(b)  # creating an existing binding succeeds, as in Kafka
                out[b.address] = None
        return out

    def delete_acls(self, bindings: Sequence[Binding]) -> AccessOutcome:
        self.requests.append("delete_acls")
        for b in bindings:
            self.acls.discard(b)
        return {b.address: None for b in bindings}

    def describe_scram(self) -> Mapping[str, Sequence[ScramCredential]]:
        self.requests.append("describe_user_scram_credentials")
        out: dict[str, list[ScramCredential]] = {}
        for (user, mech), (iterations, _) in sorted(self.scram.items()):
            out.setdefault(user, []).append(ScramCredential(user, mech, iterations))
        return out

    def alter_scram(self, upserts: Sequence[ScramUpsert], deletes: Sequence[ScramDelete]) -> AccessOutcome:
        self.requests.append("alter_user_scram_credentials")
        out: dict[str, str | None] = {}
        for u in upserts:
            if u.mechanism not in MECHANISMS:
                out[u.user] = "UNSUPPORTED_SASL_MECHANISM: unknown mechanism"
            elif u.iterations < MIN_ITERATIONS:
                out[u.user] = "UNACCEPTABLE_CREDENTIAL: Too few iterations"
            elif u.iterations > MAX_ITERATIONS:
                out[u.user] = "UNACCEPTABLE_CREDENTIAL: Too many iterations"
            else:
                self.scram[(u.user, u.mechanism)] = (u.iterations, u.password)
                out[u.user] = None
        for d in deletes:
            if self.scram.pop((d.user, d.mechanism), None) is None:
                out[d.user] = "RESOURCE_NOT_FOUND: attempt to delete a user credential that does not exist"
            else:
                out.setdefault(d.user, None)
        return out

    def login(self, user: str, mechanism: str, password: str) -> bool:
        """What a SASL handshake as the user would say."""
        found = self.scram.get((user, mechanism))
        return found is not None and found[1] == password

    def verify_logins(self, attempts: Sequence[LoginAttempt]) -> Mapping[str, LoginResult]:
        self.requests.append("login")
        return {
            a.user: LoginResult(a.user, OK)
            if self.login(a.user, a.mechanism, a.password)
            else LoginResult(a.user, FAILED, "authentication failed")
            for a in attempts
        }

    # kgov's own rights in the twin: everything unless a test takes some away.
    @property
    def rights(self) -> dict[str, Any]:
        rights: dict[str, Any] = self._state().setdefault(
            "rights",
            {
                "cluster": {"DESCRIBE", "ALTER", "DESCRIBE_CONFIGS", "ALTER_CONFIGS", "CREATE"},
                "hidden": set(),
                "topic_denied": set(),  # operations kgov may not do on any topic
            },
        )
        return rights

    def cluster_operations(self) -> frozenset[str]:
        self.requests.append("describe_cluster")
        return frozenset(self.rights["cluster"])

    def topic_access(self, names: Sequence[str]) -> Mapping[str, TopicAccess]:
        self.requests.append("describe_topics")
        known: Mapping[str, object] = getattr(self, "topics", {})
        all_ops = frozenset(
            {"READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE", "DESCRIBE_CONFIGS", "ALTER_CONFIGS"}
        )
        return {
            n: TopicAccess(n, HIDDEN)
            if n in self.rights["hidden"]
            else TopicAccess(n, VISIBLE, all_ops - self.rights["topic_denied"])
            if n in known
            else TopicAccess(n, ABSENT)
            for n in names
        }
