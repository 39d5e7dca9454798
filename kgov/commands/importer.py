"""`kgov import`: write catalog files for a live cluster's unowned, unprotected topics, and for the
principals whose ACL bindings the catalog does not declare.

The files are written so that the next plan shows no change for what they import: partitions,
replication factor and explicit configs as the cluster has them, seen through the environment's
overrides (a key the override sets to the cluster's value is left to the override); and each
principal's bindings exactly, in shorthand where it says them (kgov/kinds/access_import.py).
Everything is read and every target checked before the first file is written.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kgov.catalog.grants import principal_for
from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog, Environment
from kgov.catalog.patterns import PatternError, compile_pattern
from kgov.catalog.resolve import environment
from kgov.cluster.kafka.port import KafkaAdmin
from kgov.commands.common import connect, out, settings_catalog, working
from kgov.errors import EXIT_OK, KgovError
from kgov.kafka_configs import canonical
from kgov.kinds.access_import import ImportedAccess, import_access, undeclarable
from kgov.kinds.base import Backends
from kgov.kinds.ownership import catalog_scope, is_protected
from kgov.outfile import check_new_file, write_atomically
from kgov.policy import lint
from kgov.sanitize import printable
from kgov.secrets import resolve_refs
from kgov.state import TopicSpec

# Editors (the YAML language server) check the imported files against kgov's JSON Schemas: import
# copies them into the catalog, so the line points at a file that exists wherever the catalog is
# cloned (docs/catalog.md, "Editor support"); a copy already there is left as it is.
SCHEMA_FOLDER = "editor-schemas"
HEADER = f"# yaml-language-server: $schema=../{SCHEMA_FOLDER}/topics.schema.json\n"


def service_of(name: str, pattern: str) -> str:
    """The owning service a topic name suggests: the policy regex's `service` group, else its first word."""
    try:  # the policy's pattern is untrusted: RE2, linear in the name
        match = compile_pattern(pattern).fullmatch(name)
    except PatternError:
        match = None
    groups = match.groupdict() if match else {}
    raw = str(groups["service"]) if groups.get("service") else re.split(r"[._]", name, maxsplit=1)[0]
    service = re.sub(r"[^a-z0-9-]+", "-", raw.lower()).strip("-")
    return service if re.match(r"^[a-z]", service) else f"svc-{service or 'imported'}"


def _number_or_text(value: str) -> object:
    return int(value) if re.fullmatch(r"-?\d+", value) else value


def _topic_entry(
    info: TopicSpec, config: dict[str, str], catalog: Catalog, env: Environment, stamp: str
) -> dict[str, Any]:
    ov = env.overrides
    policy = catalog.settings.policy
    rf = info.replication_factor
    if ov.replication_factor is not None:  # the override decides this environment; keep the catalog in policy
        rf = max(rf, policy.replication_factor.min or rf)
    override_config = {k: canonical(k, str(v)) for k, v in ov.config.items()}
    kept = {k: v for k, v in sorted(config.items()) if override_config.get(k) != canonical(k, v)}
    entry: dict[str, Any] = {
        "name": info.name,
        "description": f"Imported from environment '{env.name}' on {stamp}; say what it holds.",
        "partitions": info.partitions,
        "replication_factor": rf,
    }
    if kept:
        entry["config"] = {k: _number_or_text(v) for k, v in kept.items()}
    return entry


def run_import(catalog_dir: Path, env_name: str, *, out_dir: Path, backends: Backends | None = None) -> int:
    catalog = settings_catalog(catalog_dir)
    env = environment(catalog, env_name)
    ports = backends if backends is not None else connect(catalog, env_name)
    kafka = ports.kafka
    assert kafka is not None  # connect() always opens the Kafka port
    scope = catalog_scope(catalog)  # what plan owns; import takes the rest that is not protected
    with working(f"reading the cluster of environment '{env_name}'"):
        candidates = [
            t
            for t in kafka.list_topics().topics
            if not scope.covers(t.name) and not is_protected(t.name, scope.protected)
        ]
        configs = kafka.topic_configs([t.name for t in candidates])
        topic_names = {t.name for t in catalog.topics()} | {t.name for t in candidates}
        principals = _principals(kafka, catalog, env, topic_names)
    if not candidates and not principals:
        out.print(
            "Nothing to import: every unprotected topic and every principal's ACL bindings on the "
            "cluster are in the catalog already."
        )
        return EXIT_OK
    stamp = datetime.now(UTC).date().isoformat()
    by_service: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for info in candidates:
        service = service_of(info.name, catalog.settings.policy.topic_name)
        by_service[service].append(_topic_entry(info, dict(configs.get(info.name, {})), catalog, env, stamp))
    targets = {service: out_dir / "topics" / f"{service}.yaml" for service in by_service}
    acl_targets = {a.service: out_dir / "acls" / f"{a.service}.yaml" for a in principals}
    every = [*targets.values(), *acl_targets.values()]
    schema_copies = _schema_copies(out_dir, ["topics"] * bool(targets) + ["acls"] * bool(acl_targets))
    existing = [str(p) for p in every if os.path.lexists(p)]
    if existing:  # check everything before writing anything
        raise KgovError(
            f"refusing to overwrite {', '.join(existing)}; nothing was written",
            hint="import into an empty folder (--out) and merge the files by hand",
        )
    for target in [*every, *schema_copies]:
        check_new_file(target, out_dir)  # no symlinked folder on the way leads out of --out
    for service, topics in sorted(by_service.items()):
        doc = {"service": service, "owner": "unassigned", "topics": topics}
        text = HEADER + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
        write_atomically(targets[service], text)
        count = f"{len(topics)} topic{'s' if len(topics) != 1 else ''}"
        out.print(f"wrote {printable(str(targets[service]))} ({count})", markup=False)  # --out may hold '[/]'
    for imported in principals:
        write_atomically(acl_targets[imported.service], imported.text)
        n = imported.bindings
        what = f"{printable(imported.principal)}, {n} binding{'s' * (n != 1)}"
        shown = printable(str(acl_targets[imported.service]))
        out.print(f"wrote {shown} ({what})", markup=False)  # names from the cluster
    for target, text in schema_copies.items():
        write_atomically(target, text)
        shown = printable(str(target))
        out.print(f"wrote {shown} (for editors: the yaml-language-server lines point at it)", markup=False)
    out.print(
        f"\nImported {len(candidates)} topics of {len(by_service)} services, and the ACL bindings of "
        f"{len(principals)} principal{'s' * (len(principals) != 1)}."
    )
    if (out_dir / "kgov.yaml").is_file():  # a whole catalog: say now what lint will say
        written = {str(p) for p in every}
        problems = [d for d in lint(load_catalog(out_dir)) if d.is_error and d.location.file in written]
        if problems:
            rules = ", ".join(sorted({d.rule for d in problems}))
            out.print(
                f"Lint finds {len(problems)} error(s) in the imported files ({rules}): the cluster breaks "
                f"the catalog's policy there. Fix or rename, or relax policy.rules: "
                f"`kgov lint {printable(str(out_dir))}`.",
                markup=False,
            )
    out.print(
        "Next: set each file's owner and the descriptions, run `kgov lint`, then "
        f"`kgov plan --env {printable(env_name)}` shows no change for what was imported.",
        markup=False,
    )
    return EXIT_OK


def _schema_copies(out_dir: Path, kinds: list[str]) -> dict[Path, str]:
    """The JSON Schemas the imported files name, to copy into the catalog where none is yet."""
    copies = {}
    for kind in kinds:
        target = out_dir / SCHEMA_FOLDER / f"{kind}.schema.json"
        if not os.path.lexists(target):
            copies[target] = (
                resources.files("kgov.catalog").joinpath(f"schemas/{kind}.schema.json").read_text("utf-8")
            )
    return copies


def _principals(
    kafka: KafkaAdmin, catalog: Catalog, env: Environment, topics: set[str]
) -> list[ImportedAccess]:
    """acls/ files for the principals with bindings that the catalog does not declare in `env`.

    kgov's own principal is never imported: a catalog that manages it could revoke kgov's rights."""
    bindings = kafka.describe_acls()
    managed = {principal_for(af, env.name) for af in catalog.access_files}
    me = _self_principal(env)
    if me is not None:
        managed.add(me)
    left_out = undeclarable(bindings, managed)
    if left_out:
        out.print(f"Not imported: the bindings of {len(left_out)} principal(s) the catalog cannot declare:")
        for principal, why in sorted(left_out.items())[:10]:
            out.print(f"  {printable(principal)}: {printable(why)}", markup=False)  # from the cluster
    if not any(b.principal not in managed and b.principal not in left_out for b in bindings):
        return []
    taken = {af.service for af in catalog.access_files}
    return import_access(bindings, kafka.describe_scram(), managed, taken, topics)


def _self_principal(env: Environment) -> str | None:
    raw = env.kafka.get("username")  # a name, not a secret
    if raw is None:
        return None
    try:
        return "User:" + resolve_refs(raw, f"environments.{env.name}.kafka.username")
    except KgovError:
        return None
