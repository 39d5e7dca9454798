"""kgov's compatibility checker against the sandbox's registry on the differential corpus.

Avro: every verdict must agree. JSON Schema: every disagreement must be a known difference listed
in docs/schemas.md (kgov follows Confluent's rules; the sandbox runs Apicurio's).
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.differential import run, table

DOC = Path(__file__).resolve().parents[2] / "docs" / "schemas.md"


def test_checker_agrees_with_the_registry() -> None:
    outcomes = run(os.environ["KGOV_SCHEMA_REGISTRY_URL"])
    print("\n" + table(outcomes))
    assert len(outcomes) >= 150
    assert {o.pair.format for o in outcomes} == {"avro", "json"}
    avro = [o for o in outcomes if o.pair.format == "avro" and not o.agree]
    assert not avro, [(o.pair.name, o.pair.level, o.kgov, o.registry) for o in avro]
    known = DOC.read_text("utf-8").split("## Known differences", 1)[1]
    undocumented = [
        (o.pair.name, o.pair.level, o.kgov, o.registry)
        for o in outcomes
        if o.pair.format == "json" and not o.agree and f"`{o.pair.name}` at {o.pair.level}" not in known
    ]
    assert not undocumented
    errors = [o.registry for o in outcomes if o.registry.startswith("error")]
    assert not errors
