"""A yes/no structural check of a catalog file at compiled speed; jsonschema explains only failures.

Importing jsonschema costs more than linting a small catalog, and validating 10,000 topics with it
takes about a second. So each published schema is also compiled ahead of time by fastjsonschema into
a plain Python module (`kgov/catalog/compiled/`, generated, no runtime dependency) that answers
"valid or not". A file it passes is valid; a file it fails goes through jsonschema, which gives the
located diagnostics. The compiled check may be stricter than jsonschema, never looser (a test runs
both over the example, the hostile corpus and generated documents).

JSON Schema subjects of drafts 4, 6 and 7 get the same treatment for their meta-schema check (lint's
invalid-schema rule), so a catalog's schemas are checked without importing jsonschema either.

The compiled modules are written by kgov/catalog/compile_validators.py (not imported at run time):
regenerate after editing a schema with `python3 -m kgov.catalog.compile_validators` (a test fails
when stale).
"""

from __future__ import annotations

import importlib
import re
from typing import Any


def valid(kind: str, data: Any) -> bool:
    """True when `data` certainly satisfies the kind's schema; False means 'ask jsonschema'."""
    if (kind == "topics" and plain_topics(data)) or (kind == "acls" and plain_access(data)):
        return True
    return problem(kind, data) is None


def problem(kind: str, data: Any) -> str | None:
    """None when `data` certainly satisfies the kind's schema, else the compiled check's first
    problem, e.g. `data.resource_changes[0].action must be one of [...]` (for plan files, where
    asking jsonschema about a big document takes seconds)."""
    module = importlib.import_module(f"kgov.catalog.compiled.{kind}_schema")
    try:
        module.validate(data)
    except module.JsonSchemaValueException as exc:
        return str(exc)
    except Exception:  # e.g. a recursion limit: let jsonschema give the verdict
        return "data could not be checked"
    return None


# The common shape of a topics file, checked by hand: at 100,000 topics the compiled check (a copy of
# every topic's keys, two isinstance calls a field, a `set` per subject) was 0.15 s of lint. Exact types
# only and every bound of schemas/topics.schema.json, so True is never looser than the compiled check
# (tests/unit/catalog/test_fastcheck.py compares the two); anything unusual answers False and goes there.
_FILE_KEYS = frozenset(("service", "owner", "topics"))
_TOPIC_KEYS = frozenset(
    ("name", "description", "owner", "partitions", "replication_factor", "classification", "config")
).union(("key_schema", "value_schema"))
_REF_KEYS = {"subject", "compatibility"}  # a display: a call naming "subject" reads as a kind check
_CLASSES = frozenset(("public", "internal", "confidential", "pii"))
_COMPATIBILITIES = frozenset(
    ("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE")
)
_SERVICE = re.compile(r"[a-z][a-z0-9-]*")  # fullmatch: the schema's ^…$ without $'s final newline
_CONFIG_VALUE = (str, int, bool)  # of the schema's string, integer, number, boolean, array


def plain_topics(data: Any) -> bool:
    """True only for a topics file that satisfies its schema in the common way (see above)."""
    if type(data) is not dict or not data.keys() <= _FILE_KEYS:
        return False
    service, topics = data.get("service"), data.get("topics")
    if type(service) is not str or _SERVICE.fullmatch(service) is None or type(topics) is not list:
        return False
    if "owner" in data and not _text(data["owner"]):
        return False
    for topic in topics:  # one loop, no call a topic for the usual fields: most of the time saved
        if type(topic) is not dict or not topic.keys() <= _TOPIC_KEYS:
            return False
        name, partitions = topic.get("name"), topic.get("partitions")
        replicas = topic.get("replication_factor")
        if (
            type(name) is not str
            or name == ""
            or type(partitions) is not int
            or not 1 <= partitions <= 1_000_000
            or type(replicas) is not int
            or not 1 <= replicas <= 32767
        ):
            return False
        if len(topic) > 3 and not _plain_extras(topic):
            return False
    return True


def _text(value: Any) -> bool:
    return type(value) is str and value != ""


def _plain_extras(topic: dict[str, Any]) -> bool:
    """The optional fields of a topic whose required ones are checked."""
    if "description" in topic and type(topic["description"]) is not str:
        return False
    if "owner" in topic and not _text(topic["owner"]):
        return False
    if "classification" in topic and not (
        type(topic["classification"]) is str and topic["classification"] in _CLASSES
    ):
        return False
    if "config" in topic:
        config = topic["config"]
        if type(config) is not dict:
            return False
        for value in config.values():
            if type(value) not in _CONFIG_VALUE:
                return False
    return ("key_schema" not in topic or _plain_ref(topic["key_schema"])) and (
        "value_schema" not in topic or _plain_ref(topic["value_schema"])
    )


def _plain_ref(ref: Any) -> bool:
    if type(ref) is str:
        return ref != ""
    if type(ref) is not dict or not ref.keys() <= _REF_KEYS or not _text(ref.get("subject")):
        return False
    level = ref.get("compatibility", "NONE")
    return type(level) is str and level in _COMPATIBILITIES


# The same for an acls file without principals, authentication or quotas (those go to the compiled
# check): 0.02 s of 1,000 files of 100 bindings.
_ACCESS_KEYS = frozenset(("service", "owner", "principal", "idempotent", "acls")).union(
    ("produces", "consumes", "consumer_groups", "transactional_ids")
)
_NAME_LISTS = ("produces", "consumes", "consumer_groups", "transactional_ids")
_ENTRY_KEYS = frozenset(("name", "pattern", "operations", "permission", "host")).union(("resource",))
_RESOURCES = {"topic", "group", "cluster", "transactional_id"}  # a display, as _REF_KEYS
_OPERATIONS = frozenset(("all", "read", "write", "create", "delete", "alter", "describe", "cluster_action"))
_OPERATIONS |= {"describe_configs", "alter_configs", "idempotent_write"}
_PRINCIPAL = re.compile(r"User:.+")  # fullmatch: the schema's ^User:.+$ without $'s final newline


def plain_access(data: Any) -> bool:
    """True only for an acls file that satisfies its schema in the common way (see above)."""
    if type(data) is not dict or not data.keys() <= _ACCESS_KEYS:
        return False
    service, principal = data.get("service"), data.get("principal")
    if type(service) is not str or _SERVICE.fullmatch(service) is None:
        return False
    if type(principal) is not str or _PRINCIPAL.fullmatch(principal) is None:
        return False
    if ("owner" in data and not _text(data["owner"])) or type(data.get("idempotent", False)) is not bool:
        return False
    for field in _NAME_LISTS:
        names = data.get(field, [])
        if type(names) is not list or len(set(map(type, names)) - {str}) or "" in names:
            return False
        if len(set(names)) != len(names):  # uniqueItems
            return False
    entries = data.get("acls", [])
    if type(entries) is not list:
        return False
    for entry in entries:
        if type(entry) is not dict or not entry.keys() <= _ENTRY_KEYS:
            return False
        resource, operations = entry.get("resource"), entry.get("operations")
        if type(resource) is not str or resource not in _RESOURCES or not _text(entry.get("name")):
            return False
        if type(operations) is not list or not operations:
            return False
        for operation in operations:
            if type(operation) is not str or operation not in _OPERATIONS:
                return False
        pattern, permission = entry.get("pattern", "literal"), entry.get("permission", "allow")
        if pattern not in ("literal", "prefixed") or permission not in ("allow", "deny"):
            return False
        if "host" in entry and not _text(entry["host"]):
            return False
    return True
