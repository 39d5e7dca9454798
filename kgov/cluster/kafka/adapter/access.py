"""ACL bindings and SCRAM credentials over confluent_kafka's AdminClient (a mixin of KafkaCluster).

Deletes use filters with every field set (resource type, pattern type LITERAL or PREFIXED, name,
principal, host, operation, permission): never ANY or MATCH, so a delete can only remove the
binding it names, never a look-alike of another principal or pattern.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from confluent_kafka import KafkaError, KafkaException, TopicCollection
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from kgov.bindings import Binding
from kgov.cluster.interrupt import wait_futures
from kgov.cluster.kafka.access_port import (
    ABSENT,
    HIDDEN,
    VISIBLE,
    AccessOutcome,
    LoginAttempt,
    LoginResult,
    ScramCredential,
    ScramDelete,
    ScramUpsert,
    TopicAccess,
)
from kgov.cluster.kafka.adapter.base import KafkaBase, error_code, error_text, outcome
from kgov.cluster.kafka.adapter.login import verify_logins
from kgov.errors import ClusterError

_RESOURCE = {
    "topic": ResourceType.TOPIC,
    "group": ResourceType.GROUP,
    "cluster": ResourceType.BROKER,  # confluent_kafka's name for Kafka's CLUSTER resource
    "transactional_id": ResourceType.TRANSACTIONAL_ID,
}
_RESOURCE_NAME = {v: k for k, v in _RESOURCE.items()}
_PATTERN = {"literal": ResourcePatternType.LITERAL, "prefixed": ResourcePatternType.PREFIXED}
_PATTERN_NAME = {v: k for k, v in _PATTERN.items()}
_PERMISSION = {"allow": AclPermissionType.ALLOW, "deny": AclPermissionType.DENY}
_PERMISSION_NAME = {v: k for k, v in _PERMISSION.items()}
_MECHANISM = {"SCRAM-SHA-256": ScramMechanism.SCRAM_SHA_256, "SCRAM-SHA-512": ScramMechanism.SCRAM_SHA_512}
_MECHANISM_NAME = {v: k for k, v in _MECHANISM.items()}


def _fields(b: Binding) -> tuple[Any, ...]:
    return (
        _RESOURCE[b.resource_type],
        b.name,
        _PATTERN[b.pattern],
        b.principal,
        b.host,
        AclOperation[b.operation],
        _PERMISSION[b.permission],
    )


def to_kafka(b: Binding) -> AclBinding:
    return AclBinding(*_fields(b))


def exact_filter(b: Binding) -> AclBindingFilter:
    """A filter that matches this one binding and nothing else: every field set, no ANY, no MATCH."""
    return AclBindingFilter(*_fields(b))


def from_kafka(acl: Any) -> Binding:
    """Kafka's binding in kgov's words (an unknown enum value keeps Kafka's name, lower-cased)."""
    return Binding(
        str(acl.principal),
        _RESOURCE_NAME.get(acl.restype) or _name(acl.restype),
        _PATTERN_NAME.get(acl.resource_pattern_type) or _name(acl.resource_pattern_type),
        str(acl.name),
        _name(acl.operation).upper(),
        _PERMISSION_NAME.get(acl.permission_type) or _name(acl.permission_type),
        str(acl.host),
    )


def _name(enum: Any) -> str:
    return str(getattr(enum, "name", enum)).lower()


class KafkaAccessMixin(KafkaBase):
    """Access methods of KafkaCluster: its admin client, request counter, timeout and batching."""

    def cluster_operations(self) -> frozenset[str]:
        """What kgov's own principal may do on the cluster resource (one DescribeCluster, cached)."""
        cached: frozenset[str] | None = self.__dict__.get("_cluster_ops")
        if cached is not None:
            return cached
        try:
            found = self._one(
                "describe_cluster",
                lambda: self._admin.describe_cluster(
                    include_authorized_operations=True, request_timeout=self._timeout
                ),
            )
            ops = found.authorized_operations or []  # None: nothing authorized
        except KafkaException as exc:
            raise ClusterError(f"cannot describe the cluster: {error_text(exc)}") from None
        got = frozenset(_name(op).upper() for op in ops)
        self.__dict__["_cluster_ops"] = got
        # the same answer lists the live brokers: the broker settings read them from here (brokers.py)
        self.__dict__["_live_brokers"] = sorted(int(node.id) for node in found.nodes or [])
        return got

    def topic_access(self, names: Sequence[str]) -> Mapping[str, TopicAccess]:
        """Per topic: visible (with kgov's operations on it), absent, or hidden (no DESCRIBE right)."""
        out: dict[str, TopicAccess] = {}
        answers = self._batched(
            "describe_topics",
            list(names),
            lambda chunk: self._admin.describe_topics(
                TopicCollection(list(chunk)),
                include_authorized_operations=True,
                request_timeout=self._timeout,
            ),
        )
        for name, (desc, exc) in answers.items():
            if exc is None:
                ops = frozenset(_name(op).upper() for op in desc.authorized_operations or [])
                out[name] = TopicAccess(name, VISIBLE, ops)
            elif error_code(exc) == KafkaError.UNKNOWN_TOPIC_OR_PART:
                out[name] = TopicAccess(name, ABSENT)
            elif error_code(exc) == KafkaError.TOPIC_AUTHORIZATION_FAILED:
                out[name] = TopicAccess(name, HIDDEN)
            else:
                raise ClusterError(f"cannot describe topic {name}: {error_text(exc)}")
        return out

    def _require(self, operation: str, why: str) -> None:
        # Without it Kafka answers DescribeAcls with an empty list (absent is not proof of absence),
        # and confluent-kafka 2.16 crashes on a refused DescribeUserScramCredentials: ask first.
        if operation not in self.cluster_operations():
            raise ClusterError(
                f"kgov's principal {self.principal} may not {operation} cluster kafka-cluster, "
                f"needed to {why}",
                hint=f"grant it: allow {operation} on cluster kafka-cluster (or make it a super user)",
            )

    def describe_acls(self) -> Sequence[Binding]:
        return self._describe_acls([None])

    def describe_acls_of(self, principals: Sequence[str]) -> Sequence[Binding]:
        return self._describe_acls(sorted(set(principals)))

    def _describe_acls(self, principals: Sequence[Any]) -> Sequence[Binding]:
        """One DescribeAcls per principal (None: every binding), sent together."""
        self._require("DESCRIBE", "describe ACLs")
        anything: Any = None  # confluent_kafka's filter: None matches any string
        filters = [
            AclBindingFilter(
                ResourceType.ANY,
                anything,
                ResourcePatternType.ANY,
                principal,
                anything,
                AclOperation.ANY,
                AclPermissionType.ANY,
            )
            for principal in principals
        ]
        self.requests["describe_acls"] += len(filters)
        found: list[Any] = []
        try:
            futures = [self._admin.describe_acls(f, request_timeout=self._timeout) for f in filters]
            wait_futures(futures, self._timeout + 5)
            for future in futures:
                if not future.done():
                    late = f"no answer from Kafka within {self._timeout + 5:g}s"
                    raise KafkaException(KafkaError(KafkaError._TIMED_OUT, late))
                found.extend(future.result())
        except KafkaException as exc:
            raise ClusterError(
                f"cannot describe the ACLs of the cluster: {error_text(exc)}",
                hint="kgov's principal needs DESCRIBE on the cluster resource (kafka-cluster)",
            ) from None
        return sorted(from_kafka(acl) for acl in found)

    def create_acls(self, bindings: Sequence[Binding]) -> AccessOutcome:
        by_acl = {to_kafka(b): b for b in bindings}
        return outcome(
            self._batched(
                "create_acls",
                list(by_acl),
                lambda chunk: self._admin.create_acls(list(chunk), request_timeout=self._timeout),
                key=lambda acl: by_acl[acl].address,
                records=lambda _acl: 2,  # one record each; half the limit keeps a slow controller in time
            )
        )

    def delete_acls(self, bindings: Sequence[Binding]) -> AccessOutcome:
        by_filter = {exact_filter(b): b for b in bindings}
        by_address = {b.address: b for b in bindings}
        answers = self._batched(
            "delete_acls",
            list(by_filter),
            lambda chunk: self._admin.delete_acls(list(chunk), request_timeout=self._timeout),
            key=lambda flt: by_filter[flt].address,
        )
        out: dict[str, str | None] = {}
        for address, (deleted, exc) in answers.items():
            if exc is not None:
                out[address] = error_text(exc)
                continue
            # An exact filter matches at most its own binding; anything else is a bug to shout about.
            stray = [d for d in map(from_kafka, deleted) if d != by_address[address]]
            out[address] = f"deleted other bindings: {stray}" if stray else None
        return out

    def describe_scram(self) -> Mapping[str, Sequence[ScramCredential]]:
        self._require("DESCRIBE", "describe SCRAM users")
        try:  # one future for all users when none are named
            found = self._one(
                "describe_user_scram_credentials",
                lambda: self._admin.describe_user_scram_credentials(request_timeout=self._timeout),  # type: ignore[arg-type,return-value]
            )
        except KafkaException as exc:
            raise ClusterError(
                f"cannot describe the SCRAM users of the cluster: {error_text(exc)}",
                hint="kgov's principal needs DESCRIBE on the cluster resource (kafka-cluster)",
            ) from None
        return {
            user: sorted(
                ScramCredential(user, _MECHANISM_NAME.get(i.mechanism, str(i.mechanism)), i.iterations)
                for i in desc.scram_credential_infos
            )
            for user, desc in found.items()
        }

    def alter_scram(self, upserts: Sequence[ScramUpsert], deletes: Sequence[ScramDelete]) -> AccessOutcome:
        changes: list[Any] = [
            UserScramCredentialUpsertion(
                u.user, ScramCredentialInfo(_MECHANISM[u.mechanism], u.iterations), u.password.encode()
            )
            for u in upserts
        ]
        changes += [UserScramCredentialDeletion(d.user, _MECHANISM[d.mechanism]) for d in deletes]
        # The pair (user, mechanism) must be unique in one request; kgov sends one change per user.
        return outcome(
            self._batched(
                "alter_user_scram_credentials",
                changes,
                lambda chunk: self._admin.alter_user_scram_credentials(
                    list(chunk), request_timeout=self._timeout
                ),
                key=str,
            )
        )

    def verify_logins(self, attempts: Sequence[LoginAttempt]) -> Mapping[str, LoginResult]:
        self.requests["login"] += len(attempts)
        return verify_logins(self.settings, attempts, timeout_s=min(self._timeout, 10.0))
