"""Compare two catalogs kind by kind, through each kind's `desired()`: no cluster, no kind by name.

Every registered kind takes part: once a kind is in kgov/kinds/__init__.py its resources appear
here. A kind says why a change matters (`ClassifiesChanges`) and where its resource is written
(`Locates`); without them a change gets the generic classes of kgov/review/classify.py and points
at kgov.yaml.
A resource is compared per environment (overrides make them differ); the same change in several
environments is listed once, with the environments it concerns.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kgov.catalog.model import Catalog, Environment
from kgov.errors import ConfigError
from kgov.kinds import KINDS
from kgov.kinds.base import ClassifiesChanges, ComparesJson, Kind, Locates, Narrows, ReviewedWithAnother
from kgov.kinds.by_file import NarrowsByFile
from kgov.kinds.sizes import SizesChanges
from kgov.plan.model import JSON
from kgov.review.classify import default_reasons
from kgov.review.model import Reason, ResourceChange, Review, Row, Where
from kgov.review.settings import settings_changes

Relocate = Callable[[str], str]  # a catalog file as loaded -> the path to show


def as_json(value: Any) -> JSON:
    """A desired value as plain JSON: its `to_json()`, a dataclass's fields, or the value itself."""
    if hasattr(value, "to_json"):
        return value.to_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): as_json(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [as_json(v) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, (set, frozenset)) else items
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def rows(before: JSON, after: JSON, prefix: str = "") -> list[Row]:
    """One row per leaf that differs; dicts are walked, anything else is a leaf."""
    if isinstance(before, dict) or isinstance(after, dict):
        b = before if isinstance(before, dict) else {}
        a = after if isinstance(after, dict) else {}
        found: list[Row] = []
        for key in sorted(set(a) | set(b)):
            if prefix == "" and key == "name":
                continue  # the resource's own name is its address
            found.extend(rows(b.get(key), a.get(key), f"{prefix}{key}."))
        return found
    return [] if before == after else [Row(prefix.rstrip("."), before, after)]


def environments_to_compare(
    head: Catalog, base: Catalog, wanted: Sequence[str]
) -> list[tuple[Environment, Environment]]:
    if wanted:
        missing = [e for e in wanted if e not in head.settings.environments]
        if missing:
            known = ", ".join(sorted(head.settings.environments)) or "none"
            raise ConfigError(f"unknown environment '{missing[0]}' (kgov.yaml defines: {known})")
        names = list(wanted)
    else:
        names = sorted(set(head.settings.environments) & set(base.settings.environments))
    if not names:  # no environment on both sides: compare the catalog as written, no overrides
        neutral = Environment(head.settings.src, (), name="")
        return [(neutral, dataclasses.replace(neutral, src=base.settings.src))]
    neutral_base = Environment(base.settings.src, ())
    return [(head.settings.environments[n], base.settings.environments.get(n, neutral_base)) for n in names]


def review(
    head: Catalog,
    base: Catalog,
    *,
    base_ref: str,
    base_commit: str,
    envs: Sequence[str] = (),
    kinds: Sequence[Kind] = KINDS,
    relocate: Relocate = str,
) -> Review:
    pairs = environments_to_compare(head, base, envs)
    changes: list[ResourceChange] = list(settings_changes(head, base, relocate))
    per_env: dict[str, list[tuple[str, JSON]]] = {}
    for kind in kinds:
        if not isinstance(kind, ReviewedWithAnother):  # its changes are another kind's rows
            found = _kind_changes(kind, head, base, pairs, relocate)
            changes.extend(found)
            if isinstance(kind, SizesChanges):
                for env, sized in _capacity(kind, found, pairs).items():
                    per_env.setdefault(env, []).append((kind.name, sized))
    names = tuple(h.name for h, _ in pairs if h.name)
    # one kind takes storage today (topics): each environment's first answer is its capacity
    capacity = tuple((env, answers[0][1]) for env, answers in per_env.items())
    return Review(base_ref, base_commit, names, tuple(changes), capacity)


def _capacity(
    kind: SizesChanges, found: Sequence[ResourceChange], pairs: list[tuple[Environment, Environment]]
) -> dict[str, JSON]:
    """Per environment, what the kind's changes there take in storage. A change lists the
    environments it concerns; the desired JSON compared is carried on it (`values`)."""
    out: dict[str, JSON] = {}
    for env_head, _ in pairs:
        mine = [
            (c.name, *c.values)
            for c in found
            if c.values is not None and (not c.environments or env_head.name in c.environments)
        ]
        sized = kind.review_capacity(mine)
        if sized is not None:
            out[env_head.name] = sized
    return out


def changed_names(
    head: Catalog, base: Catalog, env: str, kinds: Sequence[Kind] = KINDS
) -> dict[str, tuple[str, ...]]:
    """Per kind, the names whose desired state differs between the catalogs in `env` (added,
    removed or changed): what a scoped plan looks at. A kind that can (`NarrowsByFile`) answers
    from the files that differ; the others derive both sides whole."""
    (pair,) = environments_to_compare(head, base, [env])
    found = {}
    for kind in kinds:
        quick = kind.changed_values(head, base, pair) if isinstance(kind, NarrowsByFile) else None
        h, b = quick if quick is not None else (kind.desired(head, pair[0]), kind.desired(base, pair[1]))
        changed = set(_differ(kind, h, b))
        if isinstance(kind, Narrows):  # what must be planned with them (kgov/kinds/base.py)
            changed = set(kind.related(changed, h, b))
        found[kind.name] = tuple(sorted(changed))
    return found


def _differ(kind: Kind, h: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Names whose desired values differ. Equal values (dataclasses compare by value) are skipped
    before any JSON conversion: in a large catalog nearly all are equal."""
    convert = _converter(kind)
    out = [name for name in b.keys() - h.keys() if b[name] is not None]  # removed
    for name, new in h.items():
        old = b.get(name)
        if old is new:  # the same object: a file unchanged since the base (kgov/review/base.py)
            continue
        if old is None or new is None or (old != new and convert(old) != convert(new)):
            out.append(name)  # added, or changed
    return out


def _kind_changes(
    kind: Kind, head: Catalog, base: Catalog, pairs: list[tuple[Environment, Environment]], relocate: Relocate
) -> list[ResourceChange]:
    grouped: dict[tuple[str, str, str], list[str]] = {}
    labels: dict[str, str] = {}
    for env_head, env_base in pairs:
        h_values = kind.desired(head, env_head)
        b_values = kind.desired(base, env_base)
        convert = _converter(kind)
        differ = _differ(kind, h_values, b_values)
        h = {n: convert(h_values[n]) for n in differ if n in h_values}
        b = {n: convert(b_values[n]) for n in differ if n in b_values}
        for name in sorted(differ):
            if h.get(name) != b.get(name):
                key = (name, json.dumps(b.get(name), sort_keys=True), json.dumps(h.get(name), sort_keys=True))
                grouped.setdefault(key, []).append(env_head.name)
                value = h_values.get(name, b_values.get(name))
                label = getattr(value, "label", None)
                if isinstance(label, str):
                    labels[name] = label
    classify = _classifier(kind)
    out = []
    for (name, b_text, h_text), env_names in sorted(grouped.items()):
        before, after = json.loads(b_text), json.loads(h_text)
        action = "add" if before is None else "remove" if after is None else "change"
        side = head if after is not None else base
        out.append(
            ResourceChange(
                address=f"{kind.name}.{name}",
                kind=kind.name,
                name=name,
                action=action,
                environments=tuple(e for e in env_names if e),
                # a labelled resource added or removed is its label (an ACL binding): no rows
                rows=() if name in labels and action != "change" else tuple(rows(before, after)),
                reasons=tuple(classify(name, before, after, head, base)),
                where=_where(kind, side, name, after if after is not None else before, relocate),
                label=labels.get(name),
                values=(before, after),
            )
        )
    return out


def _converter(kind: Kind) -> Callable[[Any], JSON]:
    return kind.desired_json if isinstance(kind, ComparesJson) else as_json


def _classifier(kind: Kind) -> Callable[[str, JSON, JSON, Catalog, Catalog], list[Reason]]:
    if not isinstance(kind, ClassifiesChanges):
        return default_reasons(kind.name)
    own = kind.classify

    def from_kind(name: str, before: JSON, after: JSON, head: Catalog, base: Catalog) -> list[Reason]:
        return [Reason(code, level, message) for code, level, message in own(name, before, after, head, base)]

    return from_kind


def _where(kind: Kind, catalog: Catalog, name: str, value: JSON, relocate: Relocate) -> Where:
    loc = kind.locate(catalog, name, value) if isinstance(kind, Locates) else None
    if loc is None:
        loc = catalog.settings.loc()
    return Where(relocate(loc.file), loc.line, loc.col)
