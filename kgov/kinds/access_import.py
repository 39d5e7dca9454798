"""`kgov import` for access (pure): acls/<service>.yaml texts for the principals a catalog lacks.

The shorthand is recovered where a principal's bindings match it exactly (produces, consumes,
consumer_groups, transactional_ids, idempotent); everything else becomes explicit `acls:`. A line
of shorthand is recovered only where lint will accept it: `produces`/`consumes` name catalog topics
(`topics`), and no deny of the same principal cancels it (rule acl-deny-shadows). Each file is
checked by deriving its bindings back: if they differ, the file says it all explicitly, so that
import followed by plan shows no changes. A principal the catalog cannot declare (not `User:…`, a
resource type or operation kgov has no words for, a host that is not an IP) is not imported at all:
half of its bindings in the catalog would make plan revoke the other half.

One acls file holds a principal's bindings (the ACL kind) and its SCRAM login (the user kind): the
import serves both, so it sits in kgov/kinds/, not in either kind's package; the ACL kind declares
it (kgov/kinds/acl/imports.py reads the cluster and calls it).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import yaml

from kgov.bindings import (
    ANY_HOST,
    CLUSTER_NAME,
    PATTERNS,
    PERMISSIONS,
    VALID_OPERATIONS,
    Binding,
    is_ip,
    scram_user,
)
from kgov.catalog.grants import DEFAULT_ITERATIONS, bindings_for
from kgov.catalog.model import AccessFile, AclEntry, Authentication, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.access_port import ScramCredential
from kgov.kinds.base import schema_line

_SRC = Source("<import>", YamlDoc({}, {}))
_SHORT = {"produces": {"WRITE", "DESCRIBE"}, "consumes": {"READ", "DESCRIBE"}}
# For editors: the JSON Schema that `kgov import` copies into the catalog (kgov/commands/importer.py).
SCHEMA = "acls"
# The principals a catalog can declare (the lint rule acl-principal's pattern).
_PRINCIPAL = re.compile(r"^User:(\*|[^\s*\x00-\x1f\x7f]([^*\x00-\x1f\x7f]*[^\s*\x00-\x1f\x7f])?)$")


@dataclass(frozen=True)
class ImportedAccess:
    service: str
    principal: str
    text: str  # the YAML of acls/<service>.yaml
    bindings: int


def _by_principal(bindings: Iterable[Binding], managed: Iterable[str]) -> dict[str, frozenset[Binding]]:
    skip = set(managed)
    out: dict[str, set[Binding]] = {}
    for b in bindings:
        if b.principal not in skip:
            out.setdefault(b.principal, set()).add(b)
    return {p: frozenset(bs) for p, bs in sorted(out.items())}


def undeclarable(bindings: Iterable[Binding], managed: Iterable[str]) -> dict[str, str]:
    """Principals (not in `managed`) that import leaves out, and why."""
    found = {p: _why_not(p, bs) for p, bs in _by_principal(bindings, managed).items()}
    return {p: why for p, why in found.items() if why is not None}


def _why_not(principal: str, bindings: Iterable[Binding]) -> str | None:
    if not _PRINCIPAL.match(principal):
        return "a catalog principal is User:<name>"
    for b in sorted(bindings):
        if b.resource_type not in VALID_OPERATIONS or b.pattern not in PATTERNS:
            return f"{b.pattern} {b.resource_type} bindings are not in the catalog's vocabulary"
        if b.operation not in VALID_OPERATIONS[b.resource_type] or b.permission not in PERMISSIONS:
            return f"{b.permission} {b.operation} on a {b.resource_type} is not in the catalog's vocabulary"
        if b.host != ANY_HOST and not is_ip(b.host):
            return f"host {b.host!r} is not an IP address"
    return None


def import_access(
    bindings: Iterable[Binding],
    scram: Mapping[str, Sequence[ScramCredential]],
    managed: Iterable[str],
    taken: Iterable[str] = (),
    topics: Collection[str] | None = None,
) -> list[ImportedAccess]:
    """One file per principal not in `managed` (and not `undeclarable`); `taken`: service names the
    catalog's acls files use already; `topics`: the names `produces`/`consumes` may use (None: any)."""
    used = set(taken)
    out = []
    for principal, have in _by_principal(bindings, managed).items():
        if _why_not(principal, have) is not None:
            continue
        service = _service_name(principal, used)
        used.add(service)
        creds = scram.get(scram_user(principal), ())
        af = _access_file(service, principal, have, creds, topics)
        out.append(ImportedAccess(service, principal, schema_line(SCHEMA) + _dump(af), len(have)))
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
    service: str,
    principal: str,
    have: frozenset[Binding],
    creds: Sequence[ScramCredential],
    topics: Collection[str] | None,
) -> AccessFile:
    auth = _auth(creds, service)
    short = _shorthand(service, principal, have, auth, topics)
    if bindings_for(short, "") == have:
        return short
    return _explicit(service, principal, have, auth)  # shorthand would not round-trip: say it all


def _shorthand(
    service: str,
    principal: str,
    have: frozenset[Binding],
    auth: Authentication | None,
    topics: Collection[str] | None,
) -> AccessFile:
    rest = set(have)
    ops: dict[tuple[str, str, str], set[str]] = {}
    for b in have:
        if b.permission == "allow" and b.host == ANY_HOST:
            ops.setdefault((b.resource_type, b.pattern, b.name), set()).add(b.operation)
    denies = [b for b in have if b.permission == "deny"]
    fields: dict[str, list[str]] = {
        "produces": [],
        "consumes": [],
        "consumer_groups": [],
        "transactional_ids": [],
    }
    for (rtype, pattern, name), got in sorted(ops.items()):
        taken: set[str] = set()
        for field, need in _fits(rtype, pattern, name, got, topics):
            grants = [Binding(principal, rtype, pattern, name, op) for op in need]
            if not any(_cancels(d, g) for d in denies for g in grants):  # else lint would refuse it
                fields[field].append(name)
                taken |= need
        rest -= {Binding(principal, rtype, pattern, name, op) for op in taken}
    idem = Binding(principal, "cluster", "literal", CLUSTER_NAME, "IDEMPOTENT_WRITE")
    writes = fields["produces"] or any(
        b.resource_type == "topic" and b.permission == "allow" and b.operation in ("WRITE", "ALL")
        for b in rest
    )
    idempotent = idem in rest and not writes and not any(_cancels(d, idem) for d in denies)
    if idempotent:
        rest.discard(idem)
    return AccessFile(
        _SRC, (), service=service, principal=principal, authentication=auth,
        produces=tuple(fields["produces"]), consumes=tuple(fields["consumes"]),
        consumer_groups=tuple(fields["consumer_groups"]),
        transactional_ids=tuple(fields["transactional_ids"]),
        idempotent=idempotent, acls=_entries(rest),
    )  # fmt: skip


def _fits(
    rtype: str, pattern: str, name: str, got: set[str], topics: Collection[str] | None
) -> list[tuple[str, set[str]]]:
    """The shorthand fields that say (some of) `got` on this resource, with what each takes."""
    if rtype == "topic" and pattern == "literal" and (topics is None or name in topics):
        return [(field, need) for field, need in _SHORT.items() if need <= got]
    if rtype == "group" and pattern == "literal" and "READ" in got:
        return [("consumer_groups", {"READ"})]
    if rtype == "transactional_id" and {"WRITE", "DESCRIBE"} <= got and _tid_form(pattern, name):
        return [("transactional_ids", {"WRITE", "DESCRIBE"})]
    return []


def _cancels(deny: Binding, grant: Binding) -> bool:
    """Whether a deny covers a grant, from any host (the lint rule acl-deny-shadows' test)."""
    if deny.resource_type != grant.resource_type or deny.operation not in (grant.operation, "ALL"):
        return False
    if deny.pattern == "literal":
        return deny.name in ("*", grant.name)
    return grant.name.startswith(deny.name)


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
