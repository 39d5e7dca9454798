"""The environments of a catalog. Secret references (`${env:NAME}`, `${file:PATH}`) stay references
in the catalog and the plan until a connection is made (`kgov.secrets`)."""

from __future__ import annotations

from kgov.catalog.model import Catalog, Environment
from kgov.errors import ConfigError, KgovError
from kgov.secrets import resolve_refs


def environment(catalog: Catalog, name: str) -> Environment:
    envs = catalog.settings.environments
    if name not in envs:
        known = ", ".join(sorted(envs)) or "none"
        raise ConfigError(f"unknown environment '{name}' (kgov.yaml defines: {known})")
    return envs[name]


def own_user(env: Environment) -> str | None:
    """The user name kgov logs in as in `env` (a name, not a secret), or None if it has none or its
    reference is not set (connecting then fails with that message)."""
    raw = env.kafka.get("username")
    if raw is None:
        return None
    try:
        return resolve_refs(raw, f"environments.{env.name}.kafka.username")
    except KgovError:
        return None
