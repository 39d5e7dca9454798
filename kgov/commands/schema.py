"""`kgov schema check`: a new schema against old ones at a compatibility level, offline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer

from kgov.errors import EXIT_ERROR, EXIT_OK, KgovError, UsageError
from kgov.render.formats import SCHEMA_CHECK
from kgov.schemas.check import check
from kgov.schemas.model import Schema, parse_level
from kgov.schemas.source import load_json, read_schema_file


def run_schema_check(old: Sequence[Path], new: Path, level: str, fmt: str) -> int:
    if fmt not in SCHEMA_CHECK:  # bad command-line values are usage errors (64), as click's own
        raise UsageError(f"unknown format '{fmt}'", hint=f"one of {', '.join(SCHEMA_CHECK.names)}")
    if not old:
        raise UsageError("give at least one --old schema file (oldest first)")
    try:
        wanted = parse_level(level)
    except KgovError as exc:  # a catalog's bad level is a lint error; the command line's a usage error
        raise UsageError(exc.message, hint=exc.hint) from None
    history = [(str(path), _read(path)) for path in old]
    verdict = check(_read(new), history, wanted)
    typer.echo(SCHEMA_CHECK[fmt](verdict, str(new)))
    return EXIT_OK if verdict.compatible else EXIT_ERROR


def _read(path: Path) -> Schema:
    """A schema file given on the command line, its JSON parsed once up front: a syntax error, an
    integer too long or nesting too deep is an error at file:line:col, not a verdict."""
    schema = read_schema_file(path)
    load_json(schema.text, schema.origin)
    return schema
