"""The catalog and a snapshot are built with the collector paused and then frozen (kgov/gcpause.py),
only in the console script's process; what those builds call makes no reference cycle (garbage the
paused collector would keep to the end) but a few small ones of the generated validators'."""

from __future__ import annotations

import gc
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kgov import gcpause
from kgov.commands.lint import lint_catalog
from kgov.gcpause import no_cycles
from kgov.schemas import avro_parse, model, references
from kgov.schemas.avro_parse import _dependency_order
from kgov.schemas.model import Reference, Schema
from kgov.schemas.references import _avro_names

EXAMPLE = Path(__file__).resolve().parents[2] / "catalog"
KGOV = str(Path(gcpause.__file__).resolve().parent) + "/"
CUSTOMER = {
    "type": "record",
    "name": "Customer",
    "namespace": "shop.events",
    "fields": [{"name": "id", "type": "long"}],
}


@pytest.fixture
def paused() -> Iterator[None]:
    """The collector off, and back as it was."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_outside_the_console_script_nothing_is_paused_or_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gcpause, "_settle", False)
    frozen = gc.get_freeze_count()
    with no_cycles():
        assert gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_in_the_console_script_the_build_is_paused_then_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gcpause, "_settle", False)
    gcpause.settle_for_one_command()
    try:
        with no_cycles():
            assert not gc.isenabled()
            built = [[i] for i in range(1000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= len(built)
        with pytest.raises(ValueError), no_cycles():  # an error on the way: the collector runs again
            raise ValueError("x")
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def _cyclic_garbage_of(files: set[str], make: Callable[[], object]) -> list[object]:
    """What `make` leaves to the collector (reference cycles) that comes from `files`: functions
    defined there and instances of classes defined there. Only those: the test process may run
    other threads (a client an earlier test left) whose own garbage is not the code's under test."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds is kept in gc.garbage, to look at
    try:
        make()
        gc.collect()
        return [
            o
            for o in gc.garbage
            if getattr(getattr(o, "__code__", None), "co_filename", None) in files
            or getattr(sys.modules.get(type(o).__module__), "__file__", None) in files
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_the_cycle_check_sees_a_recursive_closure(paused: None) -> None:
    """The check below can fail: a recursive closure (what _avro_names was) is a cycle it finds."""

    def make() -> object:
        def walk(n: int) -> int:
            return 0 if n == 0 else walk(n - 1)

        return walk(3)

    assert _cyclic_garbage_of({__file__}, make)


def test_avro_names_and_dependency_order_make_no_cycle(paused: None) -> None:
    doc = {
        "type": "record",
        "name": "A",
        "namespace": "n",
        "fields": [{"name": "x", "type": ["null", "B", {"type": "array", "items": "C"}]}],
    }
    leaf = Schema("avro", '"string"', "c")
    mid = Schema("avro", '"string"', "b", (Reference("C", "c", 1, leaf),))
    top = Schema("avro", '"string"', "a", (Reference("B", "b", 1, mid), Reference("C", "c", 1, leaf)))

    def make() -> object:
        assert _avro_names(doc, "") == ({"n.A"}, {"n.B", "n.C"})
        assert _dependency_order(top) == [leaf, mid]
        return None

    files = {m.__file__ for m in (references, avro_parse, model) if m.__file__}
    assert _cyclic_garbage_of(files, make) == []  # every object they made was freed by reference counting


def test_linting_a_catalog_with_references_makes_no_cycle(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    created = root / "schemas" / "orders.created-value.avsc"
    doc = json.loads(created.read_text())
    doc["fields"].append({"name": "customer", "type": ["null", "Customer"], "default": None})
    created.write_text(json.dumps(doc, indent=2))
    (root / "schemas" / "orders.customer-value.avsc").write_text(json.dumps(CUSTOMER))
    assert not lint_catalog(root).errors  # first: every module imported, caches filled
    doc["doc"] = "another text: no cache answers for it"
    created.write_text(json.dumps(doc, indent=2))
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds is kept in gc.garbage, to look at
    try:
        report = lint_catalog(root)
        gc.collect()
        # kgov's functions only: another thread of the test process (a client an earlier test
        # left) may leave garbage of its own meanwhile
        cycles = [
            o
            for o in gc.garbage
            if callable(o) and getattr(getattr(o, "__code__", None), "co_filename", "").startswith(KGOV)
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert not report.errors
    # the one cycle left: the generated structural validators' (one small one per file they check;
    # the common topics and acls files skip them: kgov/catalog/fastcheck.py)
    assert {Path(f.__code__.co_filename).parent.name for f in cycles} <= {"compiled"}
