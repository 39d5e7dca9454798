"""`kgov import` for access (pure): acls/<service>.yaml texts for the principals a catalog lacks.

The shorthand is recovered where a principal's bindings match it exactly (produces, consumes,
consumer_groups, transactional_ids, idempotent); everything else becomes explicit `acls:`. Each
file is checked by deriving its bindings back: if they differ, the file says it all explicitly,
so that import followed by plan shows no changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import yaml

from kgov.access.binding import ANY_HOST, CLUSTER_NAME, Binding, scram_user
from kgov.access.derive import bindings_for
from kgov.access.users import DEFAULT_ITERATIONS
from kgov.catalog.model import AccessFile, AclEntry, Authentication, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.access_port import ScramCredential

_SRC = Source("<import>", YamlDoc({}, {}))
_SHORT = {"produces": {"WRITE", "DESCRIBE"}, "consumes": {"READ", "DESCRIBE"}}
_SCHEMA_LINE = "# yaml-language-server: $schema=../../kgov/catalog/schemas/acls.schema.json\n"


@dataclass(frozen=True)
class ImportedAccess:
    service: str
    principal: str
    text: str  # the YAML of acls/<service>.yaml
    bindings: int


def import_access(
    bindings: Iterable[Binding],
    scram: Mapping[str, Sequence[ScramCredential]],
    managed: Iterable[str],
    taken: Iterable[str] = (),
) -> list[ImportedAccess]:
    """One file per principal not in `managed`; `taken`: service names already used by the catalog."""
    by_principal: dict[str, set[Binding]] = {}
    skip = set(managed)
    for b in bindings:
        if b.principal not in skip:
            by_principal.setdefault(b.principal, set()).add(b)
    used = set(taken)
    out = []
    for principal in sorted(by_principal):
        service = _service_name(principal, used)
        used.add(service)
        creds = scram.get(scram_user(principal), ()) if principal.startswith("User:") else ()
        af = _access_file(service, principal, frozenset(by_principal[principal]), creds)
        out.append(ImportedAccess(service, principal, _SCHEMA_LINE + _dump(af), len(by_principal[principal])))
    return out


def _service_name(principal: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", principal.split(":", 1)[-1].lower()).strip("-")
    base = base if base[:1].isalpha() else f"principal-{base}".rstrip("-")
    name, n = base, 2
    while name in used:
        name, n = f"{base}-{n}", n + 1
    return name


def _auth(creds: Sequence[ScramCredential], service: str) -> Authentication | None:
    if not creds:
        return None
    best = max(creds, key=lambda c: c.mechanism)  # SCRAM-SHA-512 when it has both
    ref = "${env:" + re.sub(r"[^A-Z0-9]", "_", service.upper()) + "_PASSWORD}"
    return Authentication("scram", best.mechanism, ref, best.iterations)


def _access_file(
    service: str, principal: str, have: frozenset[Binding], creds: Sequence[ScramCredential]
) -> AccessFile:
    auth = _auth(creds, service)
    short = _shorthand(service, principal, have, auth)
    if bindings_for(short, "") == have:
        return short
    return _explicit(service, principal, have, auth)  # shorthand would not round-trip: say it all


def _shorthand(
    service: str, principal: str, have: frozenset[Binding], auth: Authentication | None
) -> AccessFile:
    rest = set(have)
    ops: dict[tuple[str, str, str], set[str]] = {}
    for b in have:
        if b.permission == "allow" and b.host == ANY_HOST:
            ops.setdefault((b.resource_type, b.pattern, b.name), set()).add(b.operation)
    fields: dict[str, list[str]] = {
        "produces": [],
        "consumes": [],
        "consumer_groups": [],
        "transactional_ids": [],
    }
    for (rtype, pattern, name), got in sorted(ops.items()):
        taken: set[str] = set()
        if rtype == "topic" and pattern == "literal":
            for field, need in _SHORT.items():
                if need <= got:
                    fields[field].append(name)
                    taken |= need
        elif rtype == "group" and pattern == "literal" and "READ" in got:
            fields["consumer_groups"].append(name)
            taken = {"READ"}
        elif rtype == "transactional_id" and {"WRITE", "DESCRIBE"} <= got and _tid_form(pattern, name):
            fields["transactional_ids"].append(name)
            taken = {"WRITE", "DESCRIBE"}
        rest -= {Binding(principal, rtype, pattern, name, op) for op in taken}
    idem = Binding(principal, "cluster", "literal", CLUSTER_NAME, "IDEMPOTENT_WRITE")
    idempotent = idem in rest and not fields["produces"]
    if idempotent:
        rest.discard(idem)
    return AccessFile(
        _SRC, (), service=service, principal=principal, authentication=auth,
        produces=tuple(fields["produces"]), consumes=tuple(fields["consumes"]),
        consumer_groups=tuple(fields["consumer_groups"]),
        transactional_ids=tuple(fields["transactional_ids"]),
        idempotent=idempotent, acls=_entries(rest),
    )  # fmt: skip


def _tid_form(pattern: str, name: str) -> bool:
    """Whether the shorthand says it: a prefix ends in '-', a literal does not."""
    return (pattern == "prefixed") == name.endswith("-")


def _explicit(
    service: str, principal: str, have: frozenset[Binding], auth: Authentication | None
) -> AccessFile:
    return AccessFile(
        _SRC, (), service=service, principal=principal, authentication=auth, acls=_entries(have)
    )


def _entries(bindings: Iterable[Binding]) -> tuple[AclEntry, ...]:
    grouped: dict[tuple[str, str, str, str, str], list[str]] = {}
    for b in sorted(bindings):
        grouped.setdefault((b.resource_type, b.name, b.pattern, b.permission, b.host), []).append(b.operation)
    return tuple(
        AclEntry(_SRC, (), resource=r, name=n, pattern=p, operations=tuple(o.lower() for o in sorted(ops)),
                 permission=perm, host=h)
        for (r, n, p, perm, h), ops in sorted(grouped.items())
    )  # fmt: skip


def _dump(af: AccessFile) -> str:
    doc: dict[str, object] = {"service": af.service, "principal": af.principal}
    auth = af.authentication
    if auth is not None:
        scram: dict[str, object] = {"mechanism": auth.mechanism, "password": auth.password}
        if auth.iterations not in (None, DEFAULT_ITERATIONS):
            scram["iterations"] = auth.iterations
        doc["authentication"] = {"scram": scram}
    for field in ("produces", "consumes", "consumer_groups", "transactional_ids"):
        if getattr(af, field):
            doc[field] = list(getattr(af, field))
    if af.idempotent:
        doc["idempotent"] = True
    if af.acls:
        doc["acls"] = [
            {"resource": a.resource, "name": a.name, "pattern": a.pattern, "operations": list(a.operations),
             "permission": a.permission, "host": a.host}
            for a in af.acls
        ]  # fmt: skip
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)
