"""Run every rule over a loaded catalog and collect all findings as diagnostics (never stop early)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from kgov.catalog.load import Loaded
from kgov.catalog.model import Catalog, Environment
from kgov.diagnostics import Diagnostic, Severity
from kgov.policy.context import Context
from kgov.policy.registry import Rule, rules
from kgov.secrets import redact


def configured_severity(rule: Rule, settings: dict[str, str]) -> Severity | None:
    """The rule's severity as policy.rules sets it; None when turned off."""
    if not rule.configurable:
        return rule.severity
    level = settings.get(rule.id)
    if level == "off":
        return None
    if level in ("error", "warning"):
        return Severity(level)
    return rule.severity


def check(
    catalog: Catalog, environments: Iterable[Environment] | None = None, errors_only: bool = False
) -> list[Diagnostic]:
    """The policy rules' diagnostics of a loaded catalog (not the loader's), in no particular order.

    `environments`: those whose overrides are checked (default: all of kgov.yaml's). `errors_only`:
    rules at warning level are not run (plan and apply stop on errors and show no warning; a warning's
    position may cost parsing its file again).
    """
    envs = tuple(catalog.settings.environments.values()) if environments is None else tuple(environments)
    ctx = Context(catalog, envs)
    levels = {str(k): str(v) for k, v in catalog.settings.policy.rules.items()}
    out: list[Diagnostic] = []
    for rule in rules():
        if rule.check is None:
            continue
        severity = configured_severity(rule, levels)
        if severity is None or (errors_only and severity is not Severity.ERROR):
            continue
        try:
            out.extend(
                Diagnostic(
                    rule.id,
                    severity,
                    finding.message,
                    finding.location,
                    finding.hint if finding.hint is not None else rule.hint,
                )
                for finding in rule.check(ctx)
            )
        except Exception as exc:  # a bug in one rule must not hide what the others find
            if os.environ.get("KGOV_DEBUG"):
                raise
            out.append(
                Diagnostic(
                    rule.id,
                    Severity.ERROR,
                    redact(f"internal error in rule {rule.id}: {type(exc).__name__}: {exc}"),
                    catalog.settings.loc(),
                    "this is a bug in kgov; rerun with KGOV_DEBUG=1 for a traceback and report it",
                )
            )
    return out


def lint(
    loaded: Loaded, environments: Iterable[Environment] | None = None, errors_only: bool = False
) -> list[Diagnostic]:
    """All diagnostics of a catalog, the loader's and the rules', without repeats, by file:line:col
    (with `errors_only`, warnings may be left out: see check)."""
    found = set(loaded.diagnostics).union(check(loaded.catalog, environments, errors_only))
    return sorted(found, key=lambda d: (*d.sort_key(), d.message))
