"""`kgov schema check`: a new schema against old ones at a compatibility level, offline."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import typer

from kgov.errors import EXIT_ERROR, EXIT_OK, KgovError, UsageError
from kgov.sanitize import printable, safe_lines
from kgov.schemas.check import check
from kgov.schemas.model import parse_level
from kgov.schemas.source import read_schema_file

FORMATS = ("text", "json")


def run_schema_check(old: Sequence[Path], new: Path, level: str, fmt: str) -> int:
    if fmt not in FORMATS:  # bad command-line values are usage errors (64), as click's own
        raise UsageError(f"unknown format '{fmt}'", hint=f"one of {', '.join(FORMATS)}")
    if not old:
        raise UsageError("give at least one --old schema file (oldest first)")
    try:
        wanted = parse_level(level)
    except KgovError as exc:  # a catalog's bad level is a lint error; the command line's a usage error
        raise UsageError(exc.message, hint=exc.hint) from None
    history = [(str(path), read_schema_file(path)) for path in old]
    verdict = check(read_schema_file(new), history, wanted)
    if fmt == "json":
        typer.echo(json.dumps(verdict.to_json(), indent=2))
        return EXIT_OK if verdict.compatible else EXIT_ERROR
    name = printable(str(new))
    if verdict.compatible:
        lines = [f"✓ {name} is compatible at {wanted.value}"]
    else:
        count = len(verdict.breaking)
        lines = [f"✗ {name} is incompatible at {wanted.value}: {count} breaking change{'s' * (count > 1)}"]
        lines += [f"  - {printable(breaking.message())}" for breaking in verdict.breaking]  # schema text
    typer.echo(safe_lines("\n".join(lines)))
    return EXIT_OK if verdict.compatible else EXIT_ERROR
