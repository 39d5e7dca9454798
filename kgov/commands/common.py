"""What plan, apply and import share: a checked catalog, a cluster connection, the consoles."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rich.console import Console
from rich.status import Status
from rich.text import Text

from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog
from kgov.catalog.resolve import environment
from kgov.cluster.kafka.client_settings import kafka_settings
from kgov.diagnostics import Diagnostic
from kgov.errors import CatalogError
from kgov.gcpause import no_cycles
from kgov.kinds.base import Backends
from kgov.policy import lint
from kgov.sanitize import guarded, printable
from kgov.secrets import NESTED_SECRET_BLOCKS, SECRET_FIELDS, mark_secret_references

# Every line through a GuardedStream (no line starts a CI command or ends a Markdown fence), none
# soft-wrapped (a wrapped line could begin with a value). Values are `printable` and printed with
# markup=False or as Text: a catalog's '[/]' is text, not rich markup.
out = Console(file=guarded("stdout"), highlight=False, soft_wrap=True, emoji=False)
err = Console(file=guarded("stderr"), highlight=False, soft_wrap=True, emoji=False)


def working(text: str) -> Status:
    """A spinner on stderr while the cluster is read or written; `text` may hold a catalog's names."""
    return err.status(Text(printable(text)))


def report_diagnostics(diagnostics: list[Diagnostic]) -> None:
    """Diagnostics on stderr, one line each: file:line:col first, as editors link them."""
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        where = printable(str(d.location))
        err.print(f"{where}: {d.severity.value} [{d.rule}] {printable(d.message)}", markup=False)
        if d.hint:
            err.print(f"    hint: {printable(d.hint)}", markup=False, style="dim")


def checked_catalog(root: Path, env_name: str) -> Catalog:
    """The catalog, if lint finds no error in it (the target environment's overrides included);
    else report the errors and fail before anything touches the cluster."""
    return checked_catalog_of(root, (env_name,))[0]


def checked_catalog_of(root: Path, env_names: tuple[str, ...] | None) -> tuple[Catalog, tuple[str, ...]]:
    """`checked_catalog` for several environments (None: every one of kgov.yaml, in its order),
    with the names of those it defines among them."""
    loaded = load_catalog(root)
    defined = loaded.catalog.settings.environments
    names = tuple(defined) if env_names is None else env_names
    envs = [defined[name] for name in names if name in defined]
    with no_cycles():
        errors = [d for d in lint(loaded, envs, errors_only=True) if d.is_error]
    if errors:
        report_diagnostics(errors)
        raise CatalogError(
            f"the catalog has {len(errors)} error(s); nothing was planned or applied",
            hint=f"run `kgov lint {root}` for details",
        )
    return loaded.catalog, tuple(e.name for e in envs)


def settings_catalog(root: Path) -> Catalog:
    """The catalog, for its settings only (connections, ownership): only kgov.yaml must be valid.

    Apply of a saved plan and import need no more: the plan is already made, or the topics files
    are what import is about to write."""
    loaded = load_catalog(root)
    settings_file = loaded.catalog.settings.src.file
    errors = [d for d in loaded.diagnostics if d.is_error and d.location.file == settings_file]
    if errors:
        report_diagnostics(errors)
        raise CatalogError(f"{settings_file} has errors; nothing was done", hint=f"run `kgov lint {root}`")
    return loaded.catalog


def connect(catalog: Catalog, env_name: str) -> Backends:
    """The ports of an environment. Secret references are resolved here, for the clients only."""
    # here, not at the top: confluent_kafka loads only for commands that connect
    from kgov.cluster.kafka.adapter.admin import KafkaCluster
    from kgov.cluster.kafka.adapter.quotas import KafkaQuotas
    from kgov.cluster.kafka.adapter.reassign import KafkaReassign
    from kgov.cluster.kafka.adapter.replicas import KafkaReplicas
    from kgov.cluster.registry.adapter import connect_registry

    env = environment(catalog, env_name)
    mark_secret_references(_secret_settings(catalog))
    registry = connect_registry(env) if env.schema_registry else None
    settings = kafka_settings(env)
    kafka = KafkaCluster(settings)
    # the reassignment port shares the Kafka settings; its kafka-python client connects on first use
    python_client = KafkaReassign(settings)
    reassign = KafkaReplicas(kafka, python_client)
    # client quotas go through the same kafka-python client (one connection for both ports); their
    # rights check asks the Kafka port (one DescribeCluster for every kind)
    quotas = KafkaQuotas(python_client, kafka)
    return Backends(kafka=kafka, registry=registry, reassign=reassign, quotas=quotas)


def _secret_settings(catalog: Catalog) -> list[object]:
    """What the catalog writes in a secret field, in any environment or ACL file (kgov.secrets)."""
    found: list[object] = []
    for env in catalog.settings.environments.values():
        for block in (env.kafka, env.schema_registry or {}):
            found += [block[f] for f in SECRET_FIELDS if f in block]
            for nested in NESTED_SECRET_BLOCKS:  # oauth: {client_secret}
                inner = block.get(nested)
                if isinstance(inner, Mapping):
                    found += [inner[f] for f in SECRET_FIELDS if f in inner]
    found += [af.authentication.password for af in catalog.access_files if af.authentication is not None]
    return found
