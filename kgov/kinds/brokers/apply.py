"""Apply broker-settings entries: one IncrementalAlterConfigs write through the broker-config port
(the cluster default and each broker's changes, sent together). A sensitive value is resolved from
its reference here, for the client only, and never kept; one outcome per address."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kgov import broker_configs
from kgov.cluster.kafka.broker_port import BrokerConfigPort
from kgov.cluster.kafka.port import ConfigOp
from kgov.errors import KgovError
from kgov.kinds.brokers.diff import CONFIG
from kgov.kinds.brokers.observe import SENSITIVE, ObservedSettings
from kgov.plan.model import Entry
from kgov.secrets import resolve_refs


def config_ops(entry: Entry) -> list[ConfigOp]:
    """The entry's changes as config writes; a sensitive value resolved from its reference."""
    refs = (entry.after or {}).get("secret_refs", {})
    ops: list[ConfigOp] = []
    for change in entry.changes:
        key = change.field[len(CONFIG) :]
        if change.after is None:
            ops.append(ConfigOp(key, None))
        elif change.after == SENSITIVE:
            ops.append(ConfigOp(key, resolve_refs(refs[key], f"the broker setting {key} (password)")))
        else:
            ops.append(ConfigOp(key, str(change.after)))
    return ops


def apply_settings(port: BrokerConfigPort, entries: Sequence[Entry]) -> Mapping[str, str | None]:
    out: dict[str, str | None] = {}
    ops: dict[str, list[ConfigOp]] = {}
    by_name = {e.name: e for e in entries}
    for e in entries:
        try:
            ops[e.name] = config_ops(e)
        except KgovError as exc:  # a secret that is not set: names the variable or file, never a value
            out[e.address] = f"not applied: {exc.message}"
        except KeyError as exc:  # a plan file no catalog would give
            out[e.address] = f"not applied: no secret reference for {exc.args[0]}"
    if ops:
        for name, error in port.alter_broker_configs(ops).items():
            if name in by_name:
                out[by_name[name].address] = error
    return out


def settings_visible(entry: Entry, observed: ObservedSettings) -> bool:
    have = observed.default if entry.name == "default" else observed.brokers.get(int(entry.name), {})
    for change in entry.changes:
        key = change.field[len(CONFIG) :]
        if change.after is None:
            if key in have:
                return False
        elif change.after == SENSITIVE:
            if key not in have:
                return False
        elif key not in have or broker_configs.canonical(key, have[key]) != change.after:
            return False
    return True
