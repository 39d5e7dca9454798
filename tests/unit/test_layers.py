"""No import cycle among kgov's modules, and the bottom modules import nothing of kgov.

`lint-imports` (pyproject.toml [tool.importlinter], run by scripts/test) checks the same between
packages and that every layer imports only downward; this test says it module by module, with no
exception, where a plain `pytest` run sees it. Imports inside functions count as much as the others:
they load the same modules, only later.
"""

from __future__ import annotations

import grimp

# Value types and helpers that every layer may use: they must not import any of kgov back.
BOTTOM = ("kgov.redact", "kgov.bindings", "kgov.state", "kgov.sanitize", "kgov.diagnostics")


def cycles(graph: grimp.ImportGraph, package: str) -> list[tuple[str, ...]]:
    """Each direct import a -> b of the package's modules that b leads back from, as the cycle
    a -> b -> ... -> a (the shortest way back)."""
    ours = {m for m in graph.modules if m == package or m.startswith(package + ".")}
    found = []
    for importer in sorted(ours):
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & ours):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                found.append((importer, *back))
    return found


def _kgov() -> grimp.ImportGraph:
    return grimp.build_graph("kgov", cache_dir=None)


def test_no_import_cycle_between_kgovs_modules() -> None:
    graph = _kgov()
    assert len(graph.modules) > 100  # the walk found the package
    assert cycles(graph, "kgov") == []


def test_the_check_finds_a_cycle_when_there_is_one() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.d")]:
        graph.add_import(importer=importer, imported=imported)
    assert cycles(graph, "p") == []
    graph.add_import(importer="p.d", imported="p.b")
    assert ("p.b", "p.c", "p.d", "p.b") in cycles(graph, "p")


def test_the_bottom_modules_import_nothing_of_kgov() -> None:
    graph = _kgov()
    direct = {m: graph.find_modules_directly_imported_by(m) for m in BOTTOM}
    ours = {m: {i for i in imported if i.startswith("kgov")} for m, imported in direct.items()}
    assert ours == {m: set() for m in BOTTOM}


def test_every_kind_package_is_in_the_kind_contracts() -> None:
    """A new kind's package must be named in the contracts that keep kinds apart (no kind imports
    another) and private to the registry (nothing outside kgov/kinds imports it): a kind left out
    of them would be free to be imported by the core."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    contracts = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    packages = {f"kgov.kinds.{p.parent.name}" for p in (root / "kgov" / "kinds").glob("*/__init__.py")}
    apart = next(c for c in contracts if c["type"] == "independence" and "kgov.kinds.topics" in c["modules"])
    private = next(
        c for c in contracts if c["type"] == "forbidden" and "kgov.kinds.topics" in c["forbidden_modules"]
    )
    assert packages - set(apart["modules"]) == set()
    assert packages - set(private["forbidden_modules"]) == set()
