"""Open transactions (Kafka's ListTransactions, KIP-664) over a real cluster, with kafka-python.

confluent-kafka 2.16 has no ListTransactions; kafka-python 3.0 has it as a public admin method,
`KafkaAdminClient.list_transactions` (one request per broker: each coordinates a slice of
`__transaction_state`). It runs on the reassignment adapter's client (kgov/cluster/kafka/adapter/
reassign.py: same login, bounds, retries and error mapping). A kafka-python without the method, or an
answer of another shape, is a clear ClusterError, never a wrong read. Kafka lists only the
transactional ids the caller may DESCRIBE.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import kafka

from kgov.cluster.kafka.adapter.reassign import KafkaReassign
from kgov.errors import ClusterError

OPEN_STATES = ("Ongoing", "PrepareCommit", "PrepareAbort")  # a transaction not yet ended
_PIN = "install the kafka-python version kgov pins (pip install 'kafka-python>=3.0.12,<4')"


def open_transactions(client: KafkaReassign) -> Mapping[str, str]:
    """Transactional id -> state, of the transactions open on the cluster (the brokers filter)."""

    def listing(admin: Any) -> Any:
        if not callable(getattr(admin, "list_transactions", None)):
            raise ClusterError(
                f"the installed kafka-python {getattr(kafka, '__version__', '?')} has no "
                "list_transactions (open transactions cannot be read)",
                hint=_PIN,
            )
        return admin.list_transactions(state_filters=list(OPEN_STATES))

    answer = client._call("list_transactions", listing)
    out: dict[str, str] = {}
    try:
        client.requests["list_transactions"] += max(0, len(answer) - 1)  # one request per broker
        for rows in answer.values():
            for row in rows:
                state = str(getattr(row.state, "value", row.state))
                if state in OPEN_STATES:  # an older broker may ignore the filter
                    out[str(row.transactional_id)] = state
    except (AttributeError, TypeError) as exc:
        raise ClusterError(
            f"the installed kafka-python's list_transactions answered in an unknown shape ({exc})", hint=_PIN
        ) from None
    return out
