"""Plan and apply run only the rules at error level: they stop on errors and show no warning."""

from __future__ import annotations

from pathlib import Path

from kgov.catalog.load import load_catalog
from kgov.diagnostics import Severity
from kgov.policy.engine import check
from tests.support import topic_doc, write_catalog


def test_errors_only_gives_the_same_errors_and_no_warning(tmp_path: Path) -> None:
    too_many = topic_doc("orders.created", 500)  # above policy.partitions.max: an error
    state = topic_doc("orders.state")  # holds state, not compacted: a warning
    catalog = load_catalog(write_catalog(tmp_path / "c", {"orders": [too_many, state]})).catalog
    full = check(catalog)
    errors_only = check(catalog, errors_only=True)
    assert {d.severity for d in full} == {Severity.ERROR, Severity.WARNING}
    assert sorted(errors_only, key=str) == sorted((d for d in full if d.is_error), key=str)
