"""Small modules named for what they hold: none of kgov's grows past 400 lines."""

from __future__ import annotations

from pathlib import Path

KGOV = Path(__file__).resolve().parents[2] / "kgov"
LIMIT = 400


def test_no_module_is_over_the_limit() -> None:
    sizes = {
        p.relative_to(KGOV.parent).as_posix(): len(p.read_text("utf-8").splitlines())
        for p in KGOV.rglob("*.py")
    }
    assert len(sizes) > 50  # the walk found the package
    assert {name: n for name, n in sizes.items() if n > LIMIT} == {}
