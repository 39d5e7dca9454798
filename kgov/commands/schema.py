"""`kgov schema check`: a new schema against old ones at a compatibility level, offline."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import typer

from kgov.errors import EXIT_ERROR, EXIT_OK, KgovError
from kgov.schemas.check import check
from kgov.schemas.model import parse_level
from kgov.schemas.source import read_schema_file

FORMATS = ("text", "json")


def run_schema_check(old: Sequence[Path], new: Path, level: str, fmt: str) -> int:
    if fmt not in FORMATS:
        raise KgovError(f"unknown format '{fmt}'", hint=f"one of {', '.join(FORMATS)}")
    if not old:
        raise KgovError("give at least one --old schema file (oldest first)")
    wanted = parse_level(level)
    history = [(str(path), read_schema_file(path)) for path in old]
    verdict = check(read_schema_file(new), history, wanted)
    if fmt == "json":
        typer.echo(json.dumps(verdict.to_json(), indent=2))
    elif verdict.compatible:
        typer.echo(f"✓ {new} is compatible at {wanted.value}")
    else:
        count = len(verdict.breaking)
        typer.echo(f"✗ {new} is incompatible at {wanted.value}: {count} breaking change{'s' * (count > 1)}")
        for breaking in verdict.breaking:
            typer.echo(f"  - {breaking.message()}")
    return EXIT_OK if verdict.compatible else EXIT_ERROR
