"""Changes of kgov.yaml a reviewer must see: policy, ownership, environments (connections by name only)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from kgov.catalog.model import Catalog
from kgov.plan.model import JSON
from kgov.review.model import ATTENTION, BREAKING, SAFE, Reason, ResourceChange, Row, Where
from kgov.review.policy_guard import rule_changes, weakened


def _fields(value: Any) -> dict[str, JSON]:
    out: dict[str, JSON] = {}
    for f in dataclasses.fields(value):
        if f.name == "custom_rules":
            continue  # one change per rule (_custom_rules): rules are objects, not values
        v = getattr(value, f.name)
        if dataclasses.is_dataclass(v):
            out.update({f"{f.name}.{k}": x for k, x in _fields(v).items()})
        else:
            out[f.name] = list(v) if isinstance(v, tuple) else dict(v) if isinstance(v, dict) else v
    return out


def settings_changes(
    head: Catalog, base: Catalog, relocate: Callable[[str], str]
) -> Iterator[ResourceChange]:
    h, b = head.settings, base.settings

    def where(*path: str | int) -> Where:
        loc = h.loc(*path)
        return Where(relocate(loc.file), loc.line, loc.col)

    for section in ("policy", "ownership"):
        new, old = _fields(getattr(h, section)), _fields(getattr(b, section))
        for key in sorted(set(new) | set(old)):
            if new.get(key) == old.get(key):
                continue
            loosened = weakened(section, key, old.get(key), new.get(key))
            found = [loosened or Reason(f"{section}-changed", SAFE, f"{section}.{key} changed")]
            if section == "ownership" and key == "delete" and new[key] and not old[key]:
                found = [
                    Reason(
                        "ownership-delete-on",
                        ATTENTION,
                        "ownership.delete turned on: topics in owned prefixes missing from the catalog "
                        "can now be deleted (with --allow-delete)",
                    )
                ]
            if section == "ownership" and key == "protected" and set(old[key]) - set(new[key]):
                gone = ", ".join(sorted(set(old[key]) - set(new[key])))
                found = [Reason("protection-removed", ATTENTION, f"no longer protected: {gone}")]
            yield ResourceChange(
                f"settings.{section}.{key}",
                "settings",
                f"{section}.{key}",
                "change",
                (),
                (Row(f"{section}.{key}", old.get(key), new.get(key)),),
                tuple(found),
                where(section, *key.split(".")),
            )
    for rid, action, before, after, loosened in rule_changes(b.policy.custom_rules, h.policy.custom_rules):
        rows = tuple(
            Row(f"policy.custom_rules.{rid}.{k}", (before or {}).get(k), (after or {}).get(k))
            for k in (after or before or {})
            if (before or {}).get(k) != (after or {}).get(k)
        )
        done = {"add": "added", "remove": "removed", "change": "changed"}[action]
        reason = loosened or Reason("policy-changed", SAFE, f"custom rule {rid} {done}")
        at = [i for i, r in enumerate(h.policy.custom_rules) if r.id == rid]
        yield ResourceChange(
            f"settings.policy.custom_rules.{rid}",
            "settings",
            f"policy.custom_rules.{rid}",
            action,
            (),
            rows,
            (reason,),
            where("policy", "custom_rules", *at),
        )
    for name in sorted(set(h.environments) | set(b.environments)):
        new_env, old_env = h.environments.get(name), b.environments.get(name)
        if old_env is None:
            reasons = (Reason("environment-added", SAFE, f"environment {name} added"),)
            yield ResourceChange(
                f"settings.environments.{name}",
                "settings",
                f"environments.{name}",
                "add",
                (name,),
                (),
                reasons,
                where("environments", name),
            )
        elif new_env is None:
            reasons = (
                Reason("environment-removed", ATTENTION, f"environment {name} removed from kgov.yaml"),
            )
            yield ResourceChange(
                f"settings.environments.{name}",
                "settings",
                f"environments.{name}",
                "remove",
                (name,),
                (),
                reasons,
                where("environments"),
            )
        else:
            if new_env.platform != old_env.platform:
                yield _platform_changed(name, old_env.platform, new_env.platform, where("environments", name))
            changed = [k for k in ("kafka", "schema_registry") if getattr(new_env, k) != getattr(old_env, k)]
            if changed:  # connection settings are shown by name: values may be references to secrets
                # Breaking: where CI's secrets go. A review's plan ignores the change (it connects
                # with the base's settings, kgov/review/trusted.py); it takes effect on merge.
                reasons = (
                    Reason(
                        "connection-changed",
                        BREAKING,
                        f"environment {name}: {' and '.join(changed)} connection changed (decides where "
                        "kgov sends its credentials; a review's plan still connects as the base says)",
                    ),
                )
                yield ResourceChange(
                    f"settings.environments.{name}",
                    "settings",
                    f"environments.{name}",
                    "change",
                    (name,),
                    tuple(Row(f"{k}", "…", "(changed)") for k in changed),
                    reasons,
                    where("environments", name, changed[0]),
                )


def _platform_changed(name: str, old: str, new: str, at: Where) -> ResourceChange:
    # Attention: the platform's profile decides which topic keys kgov ignores and which values count
    # as the platform's own defaults, so a new one can hide or show drift (kgov/platforms.py).
    reason = Reason(
        "platform-changed",
        ATTENTION,
        f"environment {name}: platform {old} → {new} (changes the topic configs kgov ignores there, "
        "the defaults it compares with and the limits lint applies)",
    )
    return ResourceChange(
        f"settings.environments.{name}.platform",
        "settings",
        f"environments.{name}.platform",
        "change",
        (name,),
        (Row("platform", old, new),),
        (reason,),
        at,
    )
