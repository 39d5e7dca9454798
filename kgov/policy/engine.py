"""Run every rule over a loaded catalog and collect all findings as diagnostics (never stop early).

A rule lists at most MAX_FINDINGS_PER_FILE findings in one file; one more diagnostic counts the rest
(a 5 MiB file of 21,000 topics with three unknown configs each gave 63,555 diagnostics)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from kgov.catalog.load import Loaded
from kgov.catalog.model import Catalog, Environment
from kgov.diagnostics import Diagnostic, Severity
from kgov.policy import custom_check
from kgov.policy.context import Context
from kgov.policy.registry import Finding, Rule, rules
from kgov.redact import redact
from kgov.suggest import bounded

MAX_FINDINGS_PER_FILE = 100


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
    with bounded():  # the suggestions of all rules share one budget
        registry = rules()
        for rule in registry:
            _run(rule, ctx, levels, errors_only, out)
    if ctx.policy.custom_rules:  # the organisation's own (CEL), after the built-in rules
        out.extend(custom_check.check(ctx, levels, frozenset(r.id for r in registry), errors_only))
    return out


def _run(rule: Rule, ctx: Context, levels: dict[str, str], errors_only: bool, out: list[Diagnostic]) -> None:
    if rule.check is None:
        return
    severity = configured_severity(rule, levels)
    if severity is None or (errors_only and severity is not Severity.ERROR):
        return
    listed: dict[str, int] = {}  # file -> findings listed
    unlisted: dict[str, tuple[Finding, int]] = {}  # file -> (first finding not listed, how many)
    try:
        for finding in rule.check(ctx):
            file = finding.location.file
            if listed.get(file, 0) < MAX_FINDINGS_PER_FILE:
                listed[file] = listed.get(file, 0) + 1
                out.append(_diagnostic(rule, severity, finding))
            else:
                first, more = unlisted.get(file, (finding, 0))
                unlisted[file] = (first, more + 1)
    except Exception as exc:  # a bug in one rule must not hide what the others find
        if os.environ.get("KGOV_DEBUG"):
            raise
        out.append(
            Diagnostic(
                rule.id,
                Severity.ERROR,
                redact(f"internal error in rule {rule.id}: {type(exc).__name__}: {exc}"),
                ctx.catalog.settings.loc(),
                "this is a bug in kgov; rerun with KGOV_DEBUG=1 for a traceback and report it",
            )
        )
    for first, more in unlisted.values():
        message = f"and {more} more {rule.id} findings in this file, not listed"
        out.append(_diagnostic(rule, severity, Finding(first.location, message, first.hint)))


def _diagnostic(rule: Rule, severity: Severity, finding: Finding) -> Diagnostic:
    hint = finding.hint if finding.hint is not None else rule.hint
    return Diagnostic(rule.id, severity, finding.message, finding.location, hint)


def lint(
    loaded: Loaded, environments: Iterable[Environment] | None = None, errors_only: bool = False
) -> list[Diagnostic]:
    """All diagnostics of a catalog, the loader's and the rules', without repeats, by file:line:col
    (with `errors_only`, warnings may be left out: see check)."""
    found = set(loaded.diagnostics).union(check(loaded.catalog, environments, errors_only))
    return sorted(found, key=lambda d: (*d.sort_key(), d.message))
