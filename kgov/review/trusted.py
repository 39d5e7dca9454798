"""The connection settings a plan for a change may use: the base's, never the change's own.

A pull request edits kgov.yaml too. If a review's plan connected with the pull request's own
`kafka` / `schema_registry` blocks, the pull request would choose where CI's secrets go (a registry
URL of its own with `password: ${env:PROD_KAFKA_PASSWORD}`). So a plan for a change (`kgov plan
--base REF`, `--settings-from REF`) takes each connection block whole from the catalog at REF, read
from git: every reference is resolved in the field and for the host the trusted block gives it. A
change of those blocks is shown (a plan warning, and `kgov diff` classes it breaking) and takes
effect only once merged. docs/trust-model.md has the whole model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path, PurePath

from kgov.catalog.model import Catalog
from kgov.catalog.resolve import environment
from kgov.errors import CatalogError, ConfigError
from kgov.plan.model import Scoped
from kgov.review.base import Base, base_catalog
from kgov.review.scope import scope_of
from kgov.sanitize import printable

CONNECTION_BLOCKS = ("kafka", "schema_registry")


@dataclass(frozen=True)
class Trusted:
    catalog: Catalog  # the working tree's catalog, the planned environment's connections from the base
    changed: tuple[str, ...]  # the connection blocks the change alters (planned with the base's instead)
    ref: str

    def notice(self) -> str | None:
        """What a reviewer must know when the change alters the connection (None if it does not)."""
        if not self.changed:
            return None
        blocks = " and ".join(self.changed)
        return (
            f"this change alters the {blocks} connection settings; planned with those at "
            f"{printable(self.ref)} (a change of connection settings takes effect only after merge)"
        )


def trusted_catalog(head: Catalog, old: Base, env_name: str, ref: str) -> Trusted:
    """`head` with environment `env_name`'s connection blocks taken whole from the base catalog."""
    current = environment(head, env_name)  # an unknown environment is named first
    settings_errors = [d for d in old.errors if PurePath(d.location.file).name == "kgov.yaml"]
    if settings_errors:
        first = settings_errors[0]
        raise CatalogError(
            f"kgov.yaml at {printable(ref)} has {len(settings_errors)} error(s) ({first.location}: "
            f"{first.message}); a plan for a change connects only with the base's settings",
            hint="plan from a base whose kgov.yaml is valid",
        )
    trusted = old.catalog.settings.environments.get(env_name)
    if trusted is None:
        raise ConfigError(
            f"environment '{printable(env_name)}' does not exist at {printable(ref)}: a plan for a "
            "change connects only with the connection settings of the base",
            hint="merge the new environment first, then plan it from the main branch",
        )
    changed = tuple(b for b in CONNECTION_BLOCKS if getattr(current, b) != getattr(trusted, b))
    env = replace(current, kafka=trusted.kafka, schema_registry=trusted.schema_registry)
    environments = {**head.settings.environments, env_name: env}
    catalog = replace(head, settings=replace(head.settings, environments=environments))
    return Trusted(catalog, changed, ref)


def for_change(
    head: Catalog, catalog_dir: Path, env_name: str, ref: str, *, scoped: bool
) -> tuple[Trusted, Scoped | None]:
    """The trusted catalog for a plan of the change against `ref`, and its scope when `scoped`."""
    with base_catalog(head, catalog_dir, ref) as old:
        trusted = trusted_catalog(head, old, env_name, ref)
        return trusted, scope_of(head, old, env_name, ref) if scoped else None
