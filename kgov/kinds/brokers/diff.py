"""The broker-settings diff: wanted settings and the brokers' dynamic overrides -> plan entries.
Pure: no I/O.

Compared are the dynamic overrides only: the cluster default's (DYNAMIC_DEFAULT_BROKER_CONFIG) and
each broker's own (DYNAMIC_BROKER_CONFIG), as the topic kind compares a topic's explicit configs. A
key set on the cluster but not in the file is reset; left alone are kgov's own throttles (the replica
kind's), the cluster-default min.insync.replicas Kafka 4 keeps (unless the file sets it), and a
sensitive override the file does not name (its value cannot be read: a warning says so). A sensitive
key the file names is set when missing; when present its drift cannot be read, so it is set again
only if `always_set` lists it.
"""

from __future__ import annotations

from collections.abc import Mapping

from kgov import broker_configs
from kgov.cluster.kafka.broker_port import DEFAULT
from kgov.kinds.base import DiffContext
from kgov.kinds.brokers.desired import DesiredSettings
from kgov.kinds.brokers.observe import SENSITIVE, ObservedSettings
from kgov.plan.model import Change, Entry

KIND = "broker"
CONFIG = "config."


def _label(resource: str) -> str:
    return "cluster default (every broker)" if resource == DEFAULT else f"broker {resource}"


def _entry(resource: str, action: str, **fields: object) -> Entry:
    address, label = f"{KIND}.{resource}", _label(resource)
    return Entry(address=address, kind=KIND, name=resource, action=action, label=label, **fields)  # type: ignore[arg-type]


def _update(want: DesiredSettings, have: Mapping[str, str], warnings: list[str]) -> Entry | None:
    rows = changes(want, have, warnings)
    if not rows:
        return None
    before = {"config": dict(sorted(have.items()))}
    return _entry(want.resource, "update", before=before, after=_after(want), changes=tuple(rows))


def _after(want: DesiredSettings) -> dict[str, object]:
    return {
        "config": {**dict(sorted(want.values.items())), **dict.fromkeys(sorted(want.secrets), SENSITIVE)},
        "secret_refs": dict(sorted(want.secrets.items())),  # references, resolved by apply only
    }


def changes(want: DesiredSettings, have: Mapping[str, str], warnings: list[str]) -> list[Change]:
    rows: list[Change] = []
    for key in sorted({*want.values, *want.secrets, *have}):
        before = have.get(key)
        if key in want.values:
            if before is None or broker_configs.canonical(key, before) != want.values[key]:
                rows.append(Change(CONFIG + key, before, want.values[key], "set"))
        elif key in want.secrets:
            if before is None or key in want.always_set:
                rows.append(Change(CONFIG + key, before, SENSITIVE, "set"))
            else:
                warnings.append(
                    f"{_label(want.resource)}: {key} is sensitive, Kafka does not return its value: its "
                    "drift cannot be read (list it in always_set to set it on every apply)"
                )
        elif before == SENSITIVE:
            warnings.append(
                f"{_label(want.resource)}: {key} is set on the cluster but not in the catalog; it is "
                "sensitive (its value cannot be read) and left alone"
            )
        elif want.resource == DEFAULT and key in broker_configs.NEVER_RESET:
            continue  # Kafka keeps it: compared only when the file sets it
        else:
            rows.append(Change(CONFIG + key, before, None, "reset", broker_configs.default_of(key)))
    return rows


def diff_settings(
    desired: Mapping[str, DesiredSettings], observed: ObservedSettings, ctx: DiffContext
) -> tuple[list[Entry], list[str]]:
    if not desired:  # no cluster file: the kind manages nothing
        return [], []
    entries: list[Entry] = []
    warnings: list[str] = []
    live = set(observed.live)
    where = f"catalog/cluster/{ctx.environment.name}.yaml"
    for resource in sorted(desired, key=_order):
        want = desired[resource]
        if resource != DEFAULT and int(resource) not in live:
            entries.append(
                _entry(
                    resource,
                    "blocked",
                    after=_after(want),
                    reason=f"broker {resource} is not in the cluster (live brokers: "
                    f"{', '.join(map(str, sorted(live))) or 'none'})",
                    hint=f"remove broker {resource} from {where}, or plan again once it has joined",
                )
            )
            continue
        have = observed.default if resource == DEFAULT else observed.brokers.get(int(resource), {})
        entry = _update(want, have, warnings)
        if entry is not None:
            entries.append(entry)
    for broker in sorted(live - {int(r) for r in desired if r != DEFAULT}):
        # a broker the file does not name has no overrides of its own: any it has are reset
        entry = _update(DesiredSettings(str(broker)), observed.brokers.get(broker, {}), warnings)
        if entry is not None:
            entries.append(entry)
    entries.sort(key=lambda e: _order(e.name))
    return entries, warnings


def _order(resource: str) -> tuple[int, int]:
    return (0, 0) if resource == DEFAULT else (1, int(resource))
