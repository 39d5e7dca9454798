"""ACL bindings and SCRAM credentials over confluent_kafka's AdminClient (a mixin of KafkaCluster).

Deletes use filters with every field set (resource type, pattern type LITERAL or PREFIXED, name,
principal, host, operation, permission): never ANY or MATCH, so a delete can only remove the
binding it names, never a look-alike of another principal or pattern.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar

from confluent_kafka import KafkaError, KafkaException, TopicCollection
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from kgov.access.binding import Binding
from kgov.cluster.access_port import (
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
from kgov.cluster.connect import KafkaSettings
from kgov.cluster.kafka_login import verify_logins
from kgov.errors import ClusterError

CHUNK = 1000
T = TypeVar("T")

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


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, KafkaException) and exc.args and isinstance(exc.args[0], KafkaError):
        err: KafkaError = exc.args[0]
        return f"{err.name()}: {err.str()}"
    return str(exc)


def to_kafka(b: Binding) -> AclBinding:
    return AclBinding(
        _RESOURCE[b.resource_type],
        b.name,
        _PATTERN[b.pattern],
        b.principal,
        b.host,
        AclOperation[b.operation],
        _PERMISSION[b.permission],
    )


def exact_filter(b: Binding) -> AclBindingFilter:
    """A filter that matches this one binding and nothing else: every field set, no ANY, no MATCH."""
    return AclBindingFilter(
        _RESOURCE[b.resource_type],
        b.name,
        _PATTERN[b.pattern],
        b.principal,
        b.host,
        AclOperation[b.operation],
        _PERMISSION[b.permission],
    )


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


class KafkaAccessMixin:
    """Access methods of KafkaCluster: they use its admin client, request counter and timeout."""

    _admin: AdminClient
    _timeout: float
    requests: Counter[str]
    settings: KafkaSettings

    def cluster_operations(self) -> frozenset[str]:
        """What kgov's own principal may do on the cluster resource (one DescribeCluster, cached)."""
        cached: frozenset[str] | None = self.__dict__.get("_cluster_ops")
        if cached is not None:
            return cached
        self.requests["describe_cluster"] += 1
        try:
            found = self._admin.describe_cluster(
                include_authorized_operations=True, request_timeout=self._timeout
            )
            ops = found.result().authorized_operations or []  # None: nothing authorized
        except Exception as exc:
            raise ClusterError(f"cannot describe the cluster: {_error_text(exc)}") from None
        got = frozenset(_name(op).upper() for op in ops)
        self.__dict__["_cluster_ops"] = got
        return got

    def topic_access(self, names: Sequence[str]) -> Mapping[str, TopicAccess]:
        """Per topic: visible (with kgov's operations on it), absent, or hidden (no DESCRIBE right)."""
        out: dict[str, TopicAccess] = {}
        for chunk in _chunks(list(names)):
            self.requests["describe_topics"] += 1
            futures = self._admin.describe_topics(
                TopicCollection(list(chunk)),
                include_authorized_operations=True,
                request_timeout=self._timeout,
            )
            for name, future in futures.items():
                try:
                    desc = future.result()
                except KafkaException as exc:
                    err = exc.args[0] if exc.args and isinstance(exc.args[0], KafkaError) else None
                    code = err.code() if err is not None else None
                    if code == KafkaError.UNKNOWN_TOPIC_OR_PART:
                        out[name] = TopicAccess(name, ABSENT)
                    elif code == KafkaError.TOPIC_AUTHORIZATION_FAILED:
                        out[name] = TopicAccess(name, HIDDEN)
                    else:
                        raise ClusterError(f"cannot describe topic {name}: {_error_text(exc)}") from None
                    continue
                ops = frozenset(_name(op).upper() for op in desc.authorized_operations or [])
                out[name] = TopicAccess(name, VISIBLE, ops)
        return out

    def _require(self, operation: str, why: str) -> None:
        # Without it Kafka answers DescribeAcls with an empty list (absent is not proof of absence),
        # and confluent-kafka 2.16 crashes on a refused DescribeUserScramCredentials: ask first.
        if operation not in self.cluster_operations():
            raise ClusterError(
                f"kgov's principal ({self.settings.client.get('sasl.username', 'its certificate')}) lacks "
                f"{operation} on the cluster resource kafka-cluster, needed to {why}",
                hint=f"grant it: allow {operation} on cluster kafka-cluster (or make it a super user)",
            )

    def describe_acls(self) -> Sequence[Binding]:
        self._require("DESCRIBE", "describe ACLs")
        self.requests["describe_acls"] += 1
        anything: Any = None  # confluent_kafka's filter: None matches any string
        everything = AclBindingFilter(
            ResourceType.ANY,
            anything,
            ResourcePatternType.ANY,
            anything,
            anything,
            AclOperation.ANY,
            AclPermissionType.ANY,
        )
        try:
            found = self._admin.describe_acls(everything, request_timeout=self._timeout).result()
        except Exception as exc:
            raise ClusterError(
                f"cannot describe the ACLs of the cluster: {_error_text(exc)}",
                hint="kgov's principal needs DESCRIBE on the cluster resource (kafka-cluster)",
            ) from None
        return sorted(from_kafka(acl) for acl in found)

    def create_acls(self, bindings: Sequence[Binding]) -> AccessOutcome:
        out: dict[str, str | None] = {}
        for chunk in _chunks(list(bindings)):
            self.requests["create_acls"] += 1
            by_acl = {to_kafka(b): b for b in chunk}
            futures = self._admin.create_acls(list(by_acl), request_timeout=self._timeout)
            out.update({by_acl[acl].address: err for acl, err in _wait(futures).items()})
        return out

    def delete_acls(self, bindings: Sequence[Binding]) -> AccessOutcome:
        out: dict[str, str | None] = {}
        for chunk in _chunks(list(bindings)):
            self.requests["delete_acls"] += 1
            by_filter = {exact_filter(b): b for b in chunk}
            futures = self._admin.delete_acls(list(by_filter), request_timeout=self._timeout)
            for flt, future in futures.items():
                binding = by_filter[flt]
                try:
                    deleted = [from_kafka(acl) for acl in future.result()]
                except Exception as exc:
                    out[binding.address] = _error_text(exc)
                    continue
                # An exact filter matches at most its own binding; anything else is a bug to shout about.
                stray = [d for d in deleted if d != binding]
                out[binding.address] = f"deleted other bindings: {stray}" if stray else None
        return out

    def describe_scram(self) -> Mapping[str, Sequence[ScramCredential]]:
        self._require("DESCRIBE", "describe SCRAM users")
        self.requests["describe_user_scram_credentials"] += 1
        try:
            future: Any = self._admin.describe_user_scram_credentials(request_timeout=self._timeout)
            found = future.result()  # one future for all users when none are named
        except Exception as exc:
            raise ClusterError(
                f"cannot describe the SCRAM users of the cluster: {_error_text(exc)}",
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
        out: dict[str, str | None] = {}
        # The pair (user, mechanism) must be unique in one request; kgov sends one change per user.
        for chunk in _chunks(changes):
            self.requests["alter_user_scram_credentials"] += 1
            futures = self._admin.alter_user_scram_credentials(list(chunk), request_timeout=self._timeout)
            for user, err in _wait(futures).items():
                out[user] = out.get(user) or err
        return out

    def verify_logins(self, attempts: Sequence[LoginAttempt]) -> Mapping[str, LoginResult]:
        self.requests["login"] += len(attempts)
        return verify_logins(self.settings, attempts, timeout_s=min(self._timeout, 10.0))


def _wait(futures: Mapping[Any, Future[Any]]) -> dict[Any, str | None]:
    out: dict[Any, str | None] = {}
    for key, future in futures.items():
        try:
            future.result()
            out[key] = None
        except Exception as exc:
            out[key] = _error_text(exc)
    return out
