"""The rule registry: every lint rule, with a stable id, its default severity, docs and examples.

A rule is data plus (for policy rules) a check function over the loaded model. The loader's own
rules (`yaml`, `structure`, `files`) are registered here too, without a check, so that they are
documented and known to `policy.rules`. `docs/rules.md` and SARIF's rule list are drawn from here;
the examples are run by the rule tests, so the docs cannot drift from the behaviour.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kgov.diagnostics import Location, Severity

if TYPE_CHECKING:
    from kgov.policy.context import Context

# One module per rule family, in the order the docs list them.
FAMILIES = (
    "structure",
    "settings",
    "naming",
    "sizing",
    "configs",
    "brokers",
    "compaction",
    "references",
    "required",
    "security",
    "logins",
    "access",
    "quotas",
    "compatibility",
    "platforms",
    "governance",
)


@dataclass(frozen=True)
class Example:
    """Catalog files that pass or fail a rule, laid over EXAMPLE_BASE (path relative to the catalog).

    A failing example is reported at `line` of `file` (default: the first of its files).
    """

    passes: bool
    files: Mapping[str, str]
    line: int | None = None
    note: str = ""
    file: str | None = None

    @property
    def reported_in(self) -> str:
        return self.file if self.file is not None else next(iter(self.files))


@dataclass(frozen=True)
class Finding:
    """What a check reports; the engine adds the rule id, the configured severity and a default hint."""

    location: Location
    message: str
    hint: str | None = None


Check = Callable[["Context"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    family: str
    severity: Severity
    message: str  # what the rule reports, in general terms (each finding names the thing)
    hint: str  # how to fix it (a finding may give a more precise one)
    doc: str
    examples: tuple[Example, ...] = ()
    check: Check | None = None  # None: reported by the loader
    configurable: bool = True  # may policy.rules change its severity or turn it off?
    reported_by: str | None = None  # a rule run outside the engine (e.g. by `kgov lint --base`)


_RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.id in _RULES:
        raise ValueError(f"rule id '{rule.id}' registered twice")
    _RULES[rule.id] = rule
    return rule


def rule(
    id: str,
    name: str,
    *,
    severity: Severity,
    message: str,
    hint: str,
    doc: str,
    examples: tuple[Example, ...] = (),
) -> Callable[[Check], Check]:
    """Decorator: register a check function as a rule of the module's family."""

    def wrap(check: Check) -> Check:
        family = check.__module__.rsplit(".", 1)[-1]
        register(Rule(id, name, family, severity, message, hint, doc.strip(), examples, check))
        return check

    return wrap


def rules() -> tuple[Rule, ...]:
    """All rules, family by family in FAMILIES order, each family in registration order."""
    for family in FAMILIES:
        importlib.import_module(f"kgov.policy.{family}")
    order = {family: i for i, family in enumerate(FAMILIES)}
    return tuple(sorted(_RULES.values(), key=lambda r: order[r.family]))


def get(rule_id: str) -> Rule | None:
    rules()
    return _RULES.get(rule_id)


# The minimal clean catalog that rule examples are laid over (and that the docs describe).
EXAMPLE_BASE: Mapping[str, str] = {
    "kgov.yaml": "version: 1\n",
    "topics/orders.yaml": (
        "service: orders\n"
        "owner: team-orders\n"
        "topics:\n"
        "  - name: orders.created\n"
        "    description: An order was placed.\n"
        "    partitions: 6\n"
        "    replication_factor: 3\n"
        "    config: {min.insync.replicas: 2}\n"
        "    value_schema: orders.created-value\n"
    ),
    "acls/orders.yaml": "service: orders\nprincipal: User:orders\nproduces: [orders.created]\n",
    "schemas/orders.created-value.avsc": (
        '{"type": "record", "name": "OrderCreated", "fields": [{"name": "id", "type": "string"}]}\n'
    ),
}


def topic_file(service: str, *names: str, extra: str = "") -> str:
    """A topics file for examples: each topic valid under the default policy.

    Topic i's `- name:` is on line 4 + 5*i; `extra` (lines indented for a topic's fields) is added to
    the last topic, starting on line 4 + 5*len(names).
    """
    out = [f"service: {service}", f"owner: team-{service}", "topics:"]
    for name in names:
        out += [
            f"  - name: {name}",
            "    description: An example topic.",
            "    partitions: 6",
            "    replication_factor: 3",
            "    config: {min.insync.replicas: 2}",
        ]
    text = "\n".join(out) + "\n"
    return text + extra
