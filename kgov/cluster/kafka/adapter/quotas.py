"""The quota port (kgov/cluster/kafka/quota_port.py) over a real cluster, with kafka-python.

The route, and why: confluent-kafka (2.16) has no client-quota API, and kafka-python 3.0 has
DescribeClientQuotas and AlterClientQuotas as protocol messages (kafka.protocol.admin) but no
KafkaAdminClient method and no public way to send a message of one's own. Its admin methods all
send their messages the same way: `await self._manager.send(request)` inside
`self._manager.run(...)`; kgov does exactly that with the two quota messages, on the client the
reassignment adapter already opened (kgov/cluster/kafka/adapter/reassign.py: same login, same
bounds, retries and error mapping). This module is the only place that touches those internals,
kafka-python is pinned (>=3.0.12,<4, pyproject.toml), and `_check` looks at every name used here
before the first request: a kafka-python that changed them, or a broker without the two APIs,
stops kgov with a clear error, never a wrong read (tests/integration/test_quota_adapter.py proves the
route against the sandbox's broker).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import kafka
import kafka.errors as kafka_errors
from kafka.protocol.admin import client_quotas as messages

from kgov.cluster.kafka.access_port import ClusterRights
from kgov.cluster.kafka.adapter.reassign import KafkaReassign, error_text
from kgov.cluster.kafka.quota_port import (
    DEFAULT_PART,
    Part,
    QuotaAlteration,
    QuotaEntity,
    Quotas,
    named,
)
from kgov.errors import ClusterError
from kgov.quota_values import QUOTA_KEYS

_TYPES = {"user": "user", "client-id": "client_id"}  # Kafka's entity types kgov manages
_MATCH_ANY = 2  # DescribeClientQuotas' match_type: 0 exact name, 1 default, 2 any


class _Changed(ClusterError):
    """kafka-python no longer has what this module uses."""


def _library_changed(detail: str) -> _Changed:
    return _Changed(
        f"the installed kafka-python {getattr(kafka, '__version__', '?')} does not offer what kgov's "
        f"quota calls use ({detail})",
        hint="install the kafka-python version kgov pins (pip install 'kafka-python>=3.0.12,<4')",
    )


def _check_library(admin: Any) -> None:
    """Every internal name the two calls use, looked at before the first request."""
    needs = {
        "DescribeClientQuotasRequest.ComponentData": getattr(
            messages.DescribeClientQuotasRequest, "ComponentData", None
        ),
        "AlterClientQuotasRequest.EntryData": getattr(messages.AlterClientQuotasRequest, "EntryData", None),
    }
    entry = needs["AlterClientQuotasRequest.EntryData"]
    needs["EntryData.EntityData"] = getattr(entry, "EntityData", None)
    needs["EntryData.OpData"] = getattr(entry, "OpData", None)
    manager = getattr(admin, "_manager", None)
    needs["KafkaAdminClient._manager.run"] = getattr(manager, "run", None)
    needs["KafkaAdminClient._manager.send"] = getattr(manager, "send", None)
    missing = [name for name, found in needs.items() if found is None]
    if missing:
        raise _library_changed(", ".join(missing) + " missing")


def _check_broker(admin: Any) -> None:
    """The broker offers both APIs (Kafka 2.6+); an older one is told apart from a library change."""
    data = getattr(admin._manager, "broker_version_data", None)
    if data is None or not callable(getattr(data, "api_version", None)):
        raise _library_changed("KafkaAdminClient._manager.broker_version_data.api_version missing")
    for request in (messages.DescribeClientQuotasRequest, messages.AlterClientQuotasRequest):
        try:
            data.api_version(request)
        except kafka_errors.IncompatibleBrokerVersion:
            raise ClusterError(
                f"the Kafka cluster does not support {request.__name__.removesuffix('Request')} "
                "(client quotas need Kafka 2.6 or later)"
            ) from None


def _send(admin: Any, request: Any) -> Any:
    """kafka-python's own way to send a message and wait for its answer (see the module docstring)."""

    async def go() -> Any:
        return await admin._manager.send(request)

    return admin._manager.run(go)


def _part(entity_name: str | None) -> Part:
    return DEFAULT_PART if entity_name is None else named(entity_name)


def _entity(parts: Sequence[Any]) -> QuotaEntity | None:
    """kgov's entity from Kafka's; None for one kgov does not manage (an ip entity)."""
    found: dict[str, Part] = {}
    for p in parts:
        if p.entity_type not in _TYPES:
            return None
        found[_TYPES[p.entity_type]] = _part(p.entity_name)
    return QuotaEntity(**found) if found else None


def _wire(entity: QuotaEntity) -> list[tuple[str, str | None]]:
    out = []
    for kafka_type, part in (("user", entity.user), ("client-id", entity.client_id)):
        if part is not None:
            out.append((kafka_type, None if part.default else part.name))
    return out


class KafkaQuotas:
    """QuotaPort over the reassignment adapter's kafka-python client (one connection for both)."""

    def __init__(self, client: KafkaReassign, rights: ClusterRights) -> None:
        self.client = client
        self._rights = rights  # the Kafka port: its one DescribeCluster answers for every kind
        self._checked = False

    @property
    def principal(self) -> str:
        return self._rights.principal

    def cluster_operations(self) -> frozenset[str]:
        return self._rights.cluster_operations()

    @property
    def requests(self) -> Any:
        return self.client.requests

    def _ready(self, admin: Any) -> None:
        if not self._checked:
            _check_library(admin)
            _check_broker(admin)
            self._checked = True

    def _run(self, request: str, build: Any) -> Any:
        def call(admin: Any) -> Any:
            self._ready(admin)
            try:
                message = build()
            except (TypeError, AttributeError, ValueError) as exc:  # the message's fields changed
                raise _library_changed(f"{request}: {type(exc).__name__}: {exc}") from None
            return _send(admin, message)

        return self.client._call(request, call)

    def describe_quotas(self) -> Quotas:
        request = messages.DescribeClientQuotasRequest
        answer = self._run("describe_client_quotas", lambda: request(components=[], strict=False))
        error = kafka_errors.for_code(getattr(answer, "error_code", 0))
        if error is not kafka_errors.NoError:
            detail = getattr(answer, "error_message", None) or error_text(error)
            raise ClusterError(f"cannot read the client quotas at {self.client.settings.bootstrap}: {detail}")
        out: dict[QuotaEntity, dict[str, float]] = {}
        try:
            for entry in answer.entries or ():
                entity = _entity(entry.entity)
                if entity is None:
                    continue
                out[entity] = {v.key: float(v.value) for v in entry.values if v.key in QUOTA_KEYS}
        except (AttributeError, TypeError) as exc:
            raise _library_changed(f"DescribeClientQuotasResponse: {type(exc).__name__}: {exc}") from None
        return {e: v for e, v in out.items() if v}

    def alter_quotas(self, changes: Sequence[QuotaAlteration]) -> Mapping[QuotaEntity, str | None]:
        if not changes:
            return {}
        request = messages.AlterClientQuotasRequest

        def build() -> Any:
            entry, entity_data, op = request.EntryData, request.EntryData.EntityData, request.EntryData.OpData
            entries = [
                entry(
                    entity=[entity_data(entity_type=t, entity_name=n) for t, n in _wire(c.entity)],
                    ops=[op(key=k, value=float(v), remove=False) for k, v in sorted(c.set.items())]
                    + [op(key=k, value=0.0, remove=True) for k in sorted(c.remove)],
                )
                for c in changes
            ]
            return request(entries=entries, validate_only=False)

        answer = self._run("alter_client_quotas", build)
        out: dict[QuotaEntity, str | None] = dict.fromkeys(
            (c.entity for c in changes), "NO_ANSWER: Kafka did not report on this entity"
        )
        try:
            for entry in answer.entries:
                entity = _entity(entry.entity)
                if entity is None or entity not in out:
                    continue
                error = kafka_errors.for_code(entry.error_code)
                out[entity] = (
                    None
                    if error is kafka_errors.NoError
                    else f"{error_text(error).split(':')[0]}: {entry.error_message or error.description}"
                )
        except (AttributeError, TypeError) as exc:
            raise _library_changed(f"AlterClientQuotasResponse: {type(exc).__name__}: {exc}") from None
        return out

    def group_client_ids(self, groups: Sequence[str]) -> Mapping[str, frozenset[str]]:
        """kafka-python's public describe_groups (one DescribeGroups per coordinator)."""
        wanted = sorted(set(groups))
        if not wanted:
            return {}
        answer = self.client._call("describe_groups", lambda a: a.describe_groups(wanted))
        out: dict[str, frozenset[str]] = {}
        for group, found in answer.items():
            if not isinstance(found, dict) or found.get("error"):
                continue
            ids = frozenset(str(m["client_id"]) for m in found.get("members") or () if m.get("client_id"))
            if ids:
                out[str(group)] = ids
        return out

    def close(self) -> None:
        self.client.close()
