"""Environments of a catalog, and secret references (`${env:NAME}`, `${file:PATH}`): these stay
references in the catalog and the plan until a connection is made (`resolve_refs`)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from kgov.catalog.model import Catalog, Environment
from kgov.errors import ConfigError

REF = re.compile(r"\$\{(env|file):([^}]*)\}")


def is_reference(value: object) -> bool:
    """True if the value is exactly one secret reference (what a password field must be)."""
    return isinstance(value, str) and REF.fullmatch(value.strip()) is not None


def resolve_refs(value: object, field_name: str) -> str:
    """Substitute every ${env:NAME} / ${file:PATH} in a setting; a missing one is named in the error."""
    text = str(value)

    def sub(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2).strip()
        if kind == "env":
            if name not in os.environ:
                raise ConfigError(
                    f"{field_name} refers to the environment variable {name}, which is not set",
                    hint=f'export {name}=… (for the local sandbox: eval "$(kgov sandbox env)")',
                )
            return os.environ[name]
        try:
            return Path(name).expanduser().read_text("utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"{field_name} refers to the file {name}, which cannot be read: {exc.strerror}"
            ) from None

    return REF.sub(sub, text)


def environment(catalog: Catalog, name: str) -> Environment:
    envs = catalog.settings.environments
    if name not in envs:
        known = ", ".join(sorted(envs)) or "none"
        raise ConfigError(f"unknown environment '{name}' (kgov.yaml defines: {known})")
    return envs[name]
