"""`kgov lint` and `kgov rules`: each one function returning an exit code.

Renderers, rich and the rule docs are imported by the format that needs them (start-up time):
their tables are kgov/render/formats.py's LINT and RULES.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kgov.catalog.load import load_catalog
from kgov.catalog.model import CustomRule, Environment
from kgov.errors import EXIT_ERROR, EXIT_OK, ConfigError
from kgov.gcpause import no_cycles
from kgov.policy.engine import lint
from kgov.policy.registry import Rule, rules
from kgov.policy.report import Report
from kgov.render.formats import LINT, RULES


def lint_catalog(catalog: Path, envs: tuple[str, ...] = (), base: str | None = None) -> Report:
    """Load and lint a catalog folder; CatalogError when the folder itself is missing. With `base`
    (a git ref), schema changes since it are checked for compatibility too."""
    loaded = load_catalog(catalog)
    known = loaded.catalog.settings.environments
    selected: list[Environment] | None = None
    if envs:
        unknown = [e for e in envs if e not in known]
        if unknown and known:  # when kgov.yaml did not load, its diagnostics say why
            raise ConfigError(
                f"unknown environment '{unknown[0]}' (kgov.yaml defines: {', '.join(sorted(known))})"
            )
        selected = [known[e] for e in envs if e in known]
    with no_cycles():
        diagnostics = lint(loaded, selected)
    if base is not None:
        from kgov.base_compat import base_diagnostics

        found = [*diagnostics, *base_diagnostics(loaded.catalog, catalog, base)]
        diagnostics = sorted(found, key=lambda d: (*d.sort_key(), d.message))
    cat = loaded.catalog
    services = {f.service for f in cat.topic_files} | {f.service for f in cat.access_files}
    return Report(
        tuple(diagnostics),
        sum(len(f.topics) for f in cat.topic_files),
        len(services),
        len(cat.schemas),
        custom_rules(cat.settings.policy.custom_rules),
    )


def custom_rules(defined: tuple[CustomRule, ...]) -> tuple[Rule, ...]:
    """policy.custom_rules as registry rules (one per id: a repeated id is a lint error)."""
    from kgov.policy.custom import as_rule

    builtin = {r.id for r in rules()}
    out: dict[str, Rule] = {}
    for r in defined:
        if r.id not in builtin:
            out.setdefault(r.id, as_rule(r))
    return tuple(out.values())


def run_lint(catalog: Path, fmt: str, *, strict: bool, envs: tuple[str, ...], base: str | None = None) -> int:
    render = LINT[fmt]
    report = lint_catalog(catalog, envs, base)
    sys.stdout.write(render(report))
    return EXIT_ERROR if report.failed(strict) else EXIT_OK


def run_rules(fmt: str, catalog: Path | None = None) -> int:
    """The rules; with a catalog whose kgov.yaml loads, its policy.custom_rules too."""
    extra: tuple[Rule, ...] = ()
    if catalog is not None and (catalog / "kgov.yaml").is_file():
        extra = custom_rules(load_catalog(catalog).catalog.settings.policy.custom_rules)
    RULES[fmt](extra)
    return EXIT_OK
