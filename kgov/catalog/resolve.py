"""The environments of a catalog. Secret references (`${env:NAME}`, `${file:PATH}`) stay references
in the catalog and the plan until a connection is made (`kgov.secrets`)."""

from __future__ import annotations

from kgov.catalog.model import Catalog, Environment
from kgov.errors import ConfigError


def environment(catalog: Catalog, name: str) -> Environment:
    envs = catalog.settings.environments
    if name not in envs:
        known = ", ".join(sorted(envs)) or "none"
        raise ConfigError(f"unknown environment '{name}' (kgov.yaml defines: {known})")
    return envs[name]
