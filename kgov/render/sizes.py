"""Bytes for people in the audit's renderers: '1.5 KiB', or 'not read' when the audit has no size."""

from __future__ import annotations


def size(n: object) -> str:
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        return "not read"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{n} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"  # pragma: no cover
