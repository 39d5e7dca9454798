"""ACL bindings in a snapshot: every binding (of managed principals and others alike; a binding
holds no secret), so a plan of any catalog's principals can be answered from it.

A plan's state of ACLs is a summary (the managed bindings' addresses and a count of the others),
too little to plan from: the snapshot saves the bindings themselves."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import chain
from operator import itemgetter
from typing import Any

from kgov.bindings import BY_FIELDS, Binding
from kgov.cluster.kafka.port import KafkaAdmin
from kgov.kinds.acl.observe import AclScope, ObservedAcls, Row, observe_acls
from kgov.plan.model import JSON


def snapshot_state(kafka: KafkaAdmin, scope: JSON) -> JSON:
    observed = observe_acls(kafka, AclScope.from_json(scope))
    return {"bindings": [b.to_json() for b in sorted(observed.bindings, key=lambda b: b.address)]}


def state_from_json(doc: Mapping[str, Any]) -> frozenset[Binding]:
    return frozenset(Binding.from_json({str(k): str(v) for k, v in b.items()}) for b in doc["bindings"])


_FIELDS = itemgetter("principal", "resource_type", "pattern", "name", "operation", "permission", "host")


def rows_from_json(doc: Mapping[str, Any]) -> frozenset[Row]:
    """BY_FIELDS of each binding state_from_json makes, without making the Bindings (100,000 in a
    snapshot of issue 23's size): each saved binding's fields taken in C. Should a field not be a
    string (edited by hand: state_from_json makes it one with str()), the Bindings are made."""
    rows = list(map(_FIELDS, doc["bindings"]))
    try:
        "".join(chain.from_iterable(rows))  # TypeError at the first field that is not a str
    except TypeError:
        return frozenset(map(BY_FIELDS, state_from_json(doc)))
    return frozenset(rows)


def from_snapshot(taken: JSON, state: Mapping[str, Any], scope: JSON) -> ObservedAcls:
    """What `observe_acls(scope)` would have read. The topics' visibility was checked when the
    snapshot was taken, for its catalog's topics; apply checks it again for the plan's."""
    read = AclScope.from_json(scope)
    rows = rows_from_json(state)
    if read.only is None:
        return ObservedAcls(read, rows)
    return ObservedAcls.of(read, read.keep(Binding(*row) for row in rows))  # a scoped plan's few
