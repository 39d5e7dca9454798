"""The broker settings the catalog wants in one environment (catalog/cluster/<environment>.yaml):
the cluster default and each named broker's overrides, values in Kafka's form; a sensitive key holds
its secret reference as written (`${env:NAME}`), resolved only when apply sends it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kgov import broker_configs
from kgov.catalog.model import Catalog, ClusterFile, Environment
from kgov.cluster.kafka.broker_port import DEFAULT
from kgov.errors import ConfigError
from kgov.kafka_configs import ConfigValueError
from kgov.secrets import is_reference


@dataclass(frozen=True)
class DesiredSettings:
    resource: str  # DEFAULT or str(broker id)
    values: Mapping[str, str] = field(default_factory=dict)  # non-sensitive: Kafka's form
    secrets: Mapping[str, str] = field(default_factory=dict)  # sensitive: the reference as written
    always_set: tuple[str, ...] = ()  # sensitive keys set on every apply (their drift cannot be read)

    def to_json(self) -> dict[str, object]:
        return {
            "values": dict(sorted(self.values.items())),
            "secrets": dict(sorted(self.secrets.items())),  # references, never a resolved value
            "always_set": list(self.always_set),
        }


def cluster_file(catalog: Catalog, env: Environment) -> ClusterFile | None:
    return catalog.cluster_files.get(env.name)


def _settings(resource: str, raw: Mapping[str, object], always: tuple[str, ...]) -> DesiredSettings:
    values: dict[str, str] = {}
    secrets: dict[str, str] = {}
    where = "the cluster default" if resource == DEFAULT else f"broker {resource}"
    for key, value in raw.items():
        if broker_configs.is_sensitive(key):
            if not is_reference(value):  # lint says where; plan never sends a literal secret
                raise ConfigError(
                    f"broker setting {key} of {where}: a secret must be a ${{env:}} or ${{file:}} reference"
                )
            secrets[key] = str(value).strip()
            continue
        try:
            values[key] = broker_configs.normalize(key, value)
        except ConfigValueError as exc:  # lint reports these with positions; plan refuses earlier
            raise ConfigError(f"broker setting {key} of {where}: {exc}") from None
    return DesiredSettings(resource, values, secrets, tuple(k for k in always if k in secrets))


def desired_settings(catalog: Catalog, env: Environment) -> dict[str, DesiredSettings]:
    """By resource name: "default" (the file's `settings`) and each broker id of `brokers`; nothing
    when the environment has no cluster file (the kind then manages nothing and reads nothing)."""
    found = cluster_file(catalog, env)
    if found is None:
        return {}
    out = {DEFAULT: _settings(DEFAULT, found.settings, found.always_set)}
    for broker_id, override in sorted(found.brokers.items()):
        out[str(broker_id)] = _settings(str(broker_id), override.settings, found.always_set)
    return out
