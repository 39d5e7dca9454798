"""An Avro schema missing a field fastavro indexes (an enum without `symbols`, a fixed without
`size`) is an invalid schema with a clear message, never kgov's internal error: `kgov schema check`
said `internal error: KeyError: 'symbols'` (exit 1) before."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgov.cli import app
from kgov.schemas.check import validate
from kgov.schemas.model import Schema, SchemaError


@pytest.mark.parametrize(
    ("text", "field"),
    [('{"type": "enum", "name": "E"}', "symbols"), ('{"type": "fixed", "name": "F"}', "size")],
)
def test_a_missing_field_is_an_invalid_schema(text: str, field: str) -> None:
    with pytest.raises(SchemaError) as raised:
        validate(Schema("avro", text, "x.avsc"))
    assert raised.value.message.startswith("x.avsc: invalid Avro schema")
    assert f"missing field '{field}'" in raised.value.message


def test_schema_check_says_so_with_exit_1(tmp_path: Path) -> None:
    new = tmp_path / "new.avsc"
    new.write_text('{"type": "enum", "name": "E"}', "utf-8")
    old = tmp_path / "old.avsc"
    old.write_text('{"type": "enum", "name": "E", "symbols": ["A"]}', "utf-8")
    args = ["schema", "check", "--new", str(new), "--old", str(old), "--level", "BACKWARD"]
    result = CliRunner().invoke(app, args)
    said = " ".join(result.output.split())  # rich's wrapping undone
    assert result.exit_code == 1
    assert "internal error" not in said
    assert "missing field 'symbols'" in said
