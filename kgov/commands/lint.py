"""`kgov lint` and `kgov rules`: each one function returning an exit code.

Renderers, rich and the rule docs are imported by the format that needs them (start-up time).
"""

from __future__ import annotations

import sys
from pathlib import Path

from kgov.catalog.load import load_catalog
from kgov.catalog.model import Environment
from kgov.errors import EXIT_ERROR, EXIT_OK, ConfigError
from kgov.policy.engine import lint
from kgov.policy.report import Report

LINT_FORMATS = ("text", "json", "sarif", "github")
RULES_FORMATS = ("text", "markdown")


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
    diagnostics = lint(loaded, selected)
    if base is not None:
        from kgov.base_compat import base_diagnostics

        found = [*diagnostics, *base_diagnostics(loaded.catalog, catalog, base)]
        diagnostics = sorted(found, key=lambda d: (*d.sort_key(), d.message))
    cat = loaded.catalog
    services = {f.service for f in cat.topic_files} | {f.service for f in cat.access_files}
    return Report(
        tuple(diagnostics), sum(len(f.topics) for f in cat.topic_files), len(services), len(cat.schemas)
    )


def run_lint(catalog: Path, fmt: str, *, strict: bool, envs: tuple[str, ...], base: str | None = None) -> int:
    if fmt not in LINT_FORMATS:
        raise ConfigError(f"unknown format '{fmt}'", hint=f"use one of {', '.join(LINT_FORMATS)}")
    report = lint_catalog(catalog, envs, base)
    if fmt == "text":
        from kgov.render import lint_text

        sys.stdout.write(lint_text.render(report, colour=lint_text.wants_colour(sys.stdout)))
    else:
        from kgov.render import github, lint_json, sarif

        renderer = {"json": lint_json.render, "sarif": sarif.render, "github": github.render}[fmt]
        sys.stdout.write(renderer(report))
    return EXIT_ERROR if report.failed(strict) else EXIT_OK


def run_rules(fmt: str) -> int:
    if fmt not in RULES_FORMATS:
        raise ConfigError(f"unknown format '{fmt}'", hint=f"use one of {', '.join(RULES_FORMATS)}")
    if fmt == "markdown":
        from kgov.policy.docs import markdown

        sys.stdout.write(markdown())
        return EXIT_OK
    from rich.console import Console
    from rich.text import Text

    from kgov.policy.registry import rules

    parts: list[Text] = []
    for rule in rules():
        head = Text(rule.id, style="bold cyan")
        head.append(f"  {rule.severity.value}", style="red" if rule.severity.value == "error" else "yellow")
        head.append(f"  {rule.name}")
        parts += [head, Text(f"    {rule.message}"), Text(f"    fix: {rule.hint}", style="dim"), Text("")]
    parts.append(Text(f"{len(parts) // 4} rules; details and examples: kgov rules --format markdown"))
    Console(highlight=False).print(*parts, sep="\n")
    return EXIT_OK
