"""Byte sizes, rates and durations as people write and read them. Pure."""

from __future__ import annotations

from kgov.quota_values import read_byte_rate

# The default replication throttle: 50 MiB/s per broker, in and out. A fraction of a 1 Gbit/s link
# (about 119 MiB/s), so producers and consumers keep most of the network while replicas copy; raise
# it with `kgov apply --throttle` on faster links (docs/replication.md).
DEFAULT_THROTTLE = 50 * 2**20

MAX_THROTTLE = 2**40  # 1 TiB/s: anything above is a typo


class RateError(ValueError):
    pass


def parse_rate(text: str) -> int:
    """Bytes per second from '50MiB/s', '50 MiB', '10MB/s', '1048576' (a number alone is bytes/s)."""
    read = read_byte_rate(text)
    if read is None:
        raise RateError(
            f"cannot read the throttle {text[:40]!r}: write a rate such as 50MiB/s, 20MB/s or 1048576 "
            "(bytes per second)"
        )
    value = int(read)
    if value < 1 or value > MAX_THROTTLE:
        raise RateError(f"the throttle {text[:40]!r} is out of range: from 1 byte/s to 1 TiB/s")
    return value


def size(n: float) -> str:
    """1536 -> '1.5 KiB'."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def rate(n: float) -> str:
    return f"{size(n)}/s"


def duration(seconds: float) -> str:
    """A rounded duration: '45 s', '3 min 20 s', '2 h 5 min'."""
    if 0 < seconds < 0.5:
        return "under 1 s"
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s" if s % 60 else f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60} min"


def about(seconds: float) -> str:
    """An estimate in words: "about 3 min", or "under 1 s" (not "about under 1 s")."""
    text = duration(seconds)
    return text if text.startswith("under") else f"about {text}"
