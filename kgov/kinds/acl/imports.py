"""`kgov import` of access: acls/<service>.yaml for each principal whose bindings the catalog does
not declare in the environment, with its SCRAM login (the user kind's) in the same file.

Three reads, whatever the count: the bindings, the SCRAM users, and the topic listing the topic
kind's import made already (the port answers it once). The files themselves are made by
kgov/kinds/access_import.py (pure). kgov's own principal is never imported: a catalog that manages
it could revoke kgov's rights.
"""

from __future__ import annotations

from kgov.catalog.grants import principal_for
from kgov.catalog.model import Catalog, Environment
from kgov.cluster.kafka.port import KafkaAdmin
from kgov.errors import KgovError
from kgov.kinds.access_import import SCHEMA, import_access, undeclarable
from kgov.kinds.base import Imported, ImportedFile, LeftOut
from kgov.kinds.ownership import unowned_topics
from kgov.secrets import resolve_refs


def import_principals(kafka: KafkaAdmin, catalog: Catalog, env: Environment) -> Imported:
    bindings = kafka.describe_acls()
    managed = {principal_for(af, env.name) for af in catalog.access_files}
    me = _self_principal(env)
    if me is not None:
        managed.add(me)
    left_out = undeclarable(bindings, managed)
    said = None
    if left_out:
        said = LeftOut(
            f"the bindings of {len(left_out)} principal(s) the catalog cannot declare",
            tuple(sorted(left_out.items())),
        )
    imported = []
    if any(b.principal not in managed and b.principal not in left_out for b in bindings):
        # shorthand may name the catalog's topics, and those that import adopts
        topics = {t.name for t in catalog.topics()} | {
            t.name for t in unowned_topics(catalog, kafka.list_topics().topics)
        }
        taken = {af.service for af in catalog.access_files}
        imported = import_access(bindings, kafka.describe_scram(), managed, taken, topics)
    n = len(imported)
    return Imported(
        files=tuple(
            ImportedFile(
                f"acls/{a.service}.yaml",
                a.text,
                f"{a.principal}, {a.bindings} binding{'s' * (a.bindings != 1)}",
            )
            for a in imported
        ),
        summary=f"the ACL bindings of {n} principal{'s' * (n != 1)}",
        everything="every principal's ACL bindings",
        schemas=(SCHEMA,),
        left_out=said,
    )


def _self_principal(env: Environment) -> str | None:
    raw = env.kafka.get("username")  # a name, not a secret
    if raw is None:
        return None
    try:
        return "User:" + resolve_refs(raw, f"environments.{env.name}.kafka.username")
    except KgovError:
        return None
