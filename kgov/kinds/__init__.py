"""The registry of resource kinds: the one place that lists them, in the order plans show them."""

from __future__ import annotations

from kgov.kinds.acl import AclKind
from kgov.kinds.base import Kind
from kgov.kinds.brokers import BrokerKind
from kgov.kinds.replicas import ReplicaKind
from kgov.kinds.subjects import SubjectKind
from kgov.kinds.topics import TopicKind
from kgov.kinds.user import UserKind

# The broker settings come first: the cluster-wide ground the topics, users and grants stand on.
KINDS: tuple[Kind, ...] = (BrokerKind(), TopicKind(), ReplicaKind(), UserKind(), AclKind(), SubjectKind())
