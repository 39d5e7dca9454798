"""Hole 20 of issue 18: a bad value on `kgov schema check`'s command line is a usage error (64, as
click's own are), not a failed check (1): CI tells "the schema is incompatible" from "the step is
miswritten"."""

from __future__ import annotations

import pytest

from kgov.errors import EXIT_USAGE
from tests.support import kgov
from tests.unit.hostile.cliio_helpers import ROOT, assert_defused

SCHEMA = str(ROOT / "catalog" / "schemas" / "orders.created-key.avsc")  # tracked


@pytest.mark.parametrize(
    "bad",
    [["--format", "xml"], ["--level", "BOGUS"], ["--level", "::error::x\n```"]],
    ids=["format", "level", "hostile-level"],
)
def test_a_bad_schema_check_value_is_a_usage_error(bad: list[str]) -> None:
    args = {"--level": "BACKWARD", "--format": "text"}
    args[bad[0]] = bad[1]
    options = [x for option in args.items() for x in option]
    result = kgov("schema", "check", "--old", SCHEMA, "--new", SCHEMA, *options)
    assert result.code == EXIT_USAGE, result.output
    assert result.stderr.startswith("error: unknown ")
    assert_defused(result.output)


def test_a_good_level_in_any_case_still_checks() -> None:
    result = kgov("schema", "check", "--old", SCHEMA, "--new", SCHEMA, "--level", "backward_transitive")
    assert result.code == 0, result.output
    assert "is compatible at BACKWARD_TRANSITIVE" in result.stdout
