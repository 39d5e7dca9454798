"""Kafka 4 topic configs: names, types, ranges and enumerations; normalisation to Kafka's form.

Both lint (is this value legal?) and the diff (is the cluster's value the catalog's?) go through
`normalize`, so a value written as `7d` in the catalog and `604800000` on the cluster never diffs.
The list is Kafka 4.x's topic-level configs; an integration test checks it against a real broker.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from kgov.suggest import close_match

LONG_MAX = 9223372036854775807
INT_MAX = 2147483647


class Kind(StrEnum):
    INT = "int"
    LONG = "long"
    DOUBLE = "double"
    BOOLEAN = "boolean"
    STRING = "string"
    LIST = "list"


class Unit(StrEnum):
    NONE = ""
    MS = "ms"
    BYTES = "bytes"


@dataclass(frozen=True)
class ConfigDef:
    name: str
    kind: Kind
    default: str
    unit: Unit = Unit.NONE
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    doc: str = ""


def _c(
    name: str,
    kind: Kind,
    default: str,
    unit: Unit = Unit.NONE,
    lo: float | None = None,
    hi: float | None = None,
    choices: tuple[str, ...] = (),
    doc: str = "",
) -> ConfigDef:
    return ConfigDef(name, kind, default, unit, lo, hi, choices, doc)


_L, _I, _D, _B, _S, _LIST = Kind.LONG, Kind.INT, Kind.DOUBLE, Kind.BOOLEAN, Kind.STRING, Kind.LIST
_MS, _BY = Unit.MS, Unit.BYTES

TOPIC_CONFIGS: dict[str, ConfigDef] = {
    d.name: d
    for d in (
        _c(
            "cleanup.policy",
            _LIST,
            "delete",
            choices=("compact", "delete"),
            doc="delete old segments, compact by key, or both",
        ),
        _c(
            "compression.type",
            _S,
            "producer",
            choices=("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"),
        ),
        _c("compression.gzip.level", _I, "-1", lo=-1, hi=9),
        _c("compression.lz4.level", _I, "9", lo=1, hi=17),
        _c("compression.zstd.level", _I, "3", lo=-131072, hi=22),
        _c("delete.retention.ms", _L, "86400000", _MS, lo=0),
        _c("file.delete.delay.ms", _L, "60000", _MS, lo=0),
        _c("flush.messages", _L, str(LONG_MAX), lo=1),
        _c("flush.ms", _L, str(LONG_MAX), _MS, lo=0),
        _c("follower.replication.throttled.replicas", _LIST, ""),
        _c("index.interval.bytes", _I, "4096", _BY, lo=0),
        _c("leader.replication.throttled.replicas", _LIST, ""),
        _c("local.retention.bytes", _L, "-2", _BY, lo=-2),
        _c("local.retention.ms", _L, "-2", _MS, lo=-2),
        _c("max.compaction.lag.ms", _L, str(LONG_MAX), _MS, lo=1),
        _c("max.message.bytes", _I, "1048588", _BY, lo=0),
        _c("message.timestamp.after.max.ms", _L, "3600000", _MS, lo=0),
        _c("message.timestamp.before.max.ms", _L, str(LONG_MAX), _MS, lo=0),
        _c("message.timestamp.type", _S, "CreateTime", choices=("CreateTime", "LogAppendTime")),
        _c("min.cleanable.dirty.ratio", _D, "0.5", lo=0, hi=1),
        _c("min.compaction.lag.ms", _L, "0", _MS, lo=0),
        _c("min.insync.replicas", _I, "1", lo=1),
        _c("preallocate", _B, "false"),
        _c("remote.log.copy.disable", _B, "false"),
        _c("remote.log.delete.on.disable", _B, "false"),
        _c("remote.storage.enable", _B, "false"),
        _c("retention.bytes", _L, "-1", _BY, lo=-1),
        _c("retention.ms", _L, "604800000", _MS, lo=-1),
        _c("segment.bytes", _I, "1073741824", _BY, lo=1048576),
        _c("segment.index.bytes", _I, "10485760", _BY, lo=4),
        _c("segment.jitter.ms", _L, "0", _MS, lo=0),
        _c("segment.ms", _L, "604800000", _MS, lo=1),
        _c("unclean.leader.election.enable", _B, "false"),
    )
}

# Configs Kafka 4 removed: a clearer message than "unknown".
REMOVED_IN_KAFKA_4 = {
    "message.format.version": "removed in Kafka 4.0 (only message format v2 exists)",
    "message.downconversion.enable": "removed in Kafka 4.0 (down-conversion is gone)",
    "message.timestamp.difference.max.ms": "removed in Kafka 4.0; use message.timestamp.before.max.ms "
    "and message.timestamp.after.max.ms",
}

_DURATION_UNITS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
_SIZE_UNITS = {
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
_QUANTITY = re.compile(r"^\s*(-?\d{1,30}(?:\.\d{1,30})?)\s*([a-zA-Z]+)\s*$")
_MAX_DIGITS = 30  # far above any long (19 digits); longer numbers are refused before converting them


def duration_ms(text: str) -> int:
    """A duration such as '7d' in milliseconds (the schema has checked its form already)."""
    return _quantity(text, _DURATION_UNITS, "duration")


class ConfigValueError(ValueError):
    """A value that Kafka would refuse for this config; the message says why."""


def suggest(name: str) -> str | None:
    return close_match(name, TOPIC_CONFIGS)


def lookup(name: str) -> ConfigDef:
    found = TOPIC_CONFIGS.get(name)
    if found is not None:
        return found
    if name in REMOVED_IN_KAFKA_4:
        raise ConfigValueError(f"'{name}' was {REMOVED_IN_KAFKA_4[name]}")
    guess = suggest(name)
    raise ConfigValueError(f"unknown topic config '{name}'" + (f"; did you mean '{guess}'?" if guess else ""))


def _quantity(text: str, units: dict[str, int], what: str) -> int:
    match = _QUANTITY.match(text)
    if not match:
        raise ConfigValueError(
            f"'{text}' is not a number or a {what} such as " + ("'7d'" if what == "duration" else "'1GiB'")
        )
    number, unit = match.groups()
    factor = units.get(unit.lower() if what == "size" else unit)
    if factor is None:
        raise ConfigValueError(f"unknown {what} unit '{unit}' (use one of {', '.join(units)})")
    value = float(number) * factor
    if not math.isfinite(value):
        raise ConfigValueError(f"'{text}' is far above the maximum")
    if value != int(value):
        raise ConfigValueError(
            f"'{text}' is not a whole number of {'milliseconds' if what == 'duration' else 'bytes'}"
        )
    return int(value)


def _integer(d: ConfigDef, value: object) -> int:
    if isinstance(value, bool):
        raise ConfigValueError(f"expected a whole number, got {str(value).lower()}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):  # 2.0 too: what lint accepts, plan must send as Kafka wants it
        raise ConfigValueError(f"expected a whole number, got {value!r} (write it without a decimal point)")
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        if len(text) > _MAX_DIGITS:
            raise ConfigValueError(f"a number of {len(text)} digits is far above the maximum")
        return int(text)
    if d.unit is Unit.MS:
        return _quantity(text, _DURATION_UNITS, "duration")
    if d.unit is Unit.BYTES:
        return _quantity(text, _SIZE_UNITS, "size")
    raise ConfigValueError(f"expected a whole number, got '{text}'")


def _check_range(d: ConfigDef, number: float) -> None:
    hi = (
        d.max
        if d.max is not None
        else (INT_MAX if d.kind is Kind.INT else LONG_MAX if d.kind is Kind.LONG else None)
    )
    if d.min is not None and number < d.min:
        raise ConfigValueError(f"{_fmt(number)} is below the minimum {_fmt(d.min)}")
    if hi is not None and number > hi:
        raise ConfigValueError(f"{_fmt(number)} is above the maximum {_fmt(hi)}")


def _fmt(x: float) -> str:
    if isinstance(x, int):
        return str(x) if abs(x) < 10**_MAX_DIGITS else f"a number of more than {_MAX_DIGITS} digits"
    return str(int(x)) if math.isfinite(x) and x.is_integer() else str(x)


def normalize(name: str, value: object) -> str:
    """The value in Kafka's own form (what describe_configs returns), or ConfigValueError."""
    try:
        return _normalize_known(name, value)  # a catalog repeats a few values thousands of times
    except TypeError:  # unhashable (a list where a value belongs): not worth remembering
        return _normalize(name, value)


@lru_cache(maxsize=4096, typed=True)  # typed: 1, 1.0 and True are different answers
def _normalize_known(name: str, value: object) -> str:
    return _normalize(name, value)


def _normalize(name: str, value: object) -> str:
    return normalize_def(lookup(name), value)


def normalize_def(d: ConfigDef, value: object) -> str:
    """The value in Kafka's form for the config `d` (a topic's, or a broker's: kgov/broker_configs.py)."""
    if d.kind in (Kind.INT, Kind.LONG):
        number = _integer(d, value)
        _check_range(d, number)
        return str(number)
    if d.kind is Kind.DOUBLE:
        if isinstance(value, bool):
            raise ConfigValueError(f"expected a number, got {str(value).lower()}")
        text = str(value).strip()
        try:
            number_f = float(text) if len(text) <= _MAX_DIGITS else math.inf
        except ValueError:
            raise ConfigValueError(f"expected a number, got '{text[:_MAX_DIGITS]}'") from None
        if not math.isfinite(number_f):  # Kafka refuses NaN and infinity for a ratio
            raise ConfigValueError(f"expected a finite number, got '{text[:_MAX_DIGITS]}'")
        _check_range(d, number_f)
        return repr(number_f)
    if d.kind is Kind.BOOLEAN:
        text = str(value).strip().lower()
        if text not in ("true", "false"):
            raise ConfigValueError(f"expected true or false, got '{value}'")
        return text
    if d.kind is Kind.LIST:
        items = value if isinstance(value, list) else str(value).split(",")
        parts = [str(item).strip() for item in items if str(item).strip()]
        if d.choices:
            for part in parts:
                if part not in d.choices:
                    raise ConfigValueError(_bad_choice(part, d.choices))
            if not parts:
                raise ConfigValueError(f"expected one or more of {', '.join(d.choices)}")
            parts = sorted(set(parts))  # order and repeats carry no meaning for cleanup.policy
        return ",".join(parts)
    text = str(value).strip()
    if d.choices and text not in d.choices:
        raise ConfigValueError(_bad_choice(text, d.choices))
    return text


def _bad_choice(text: str, choices: tuple[str, ...]) -> str:
    guess = close_match(text, choices, 0.5)
    tail = f"; did you mean '{guess}'?" if guess else ""
    return f"'{text}' is not one of {', '.join(choices)}{tail}"


def canonical(name: str, value: str) -> str:
    """Normalise a value read from the cluster; values kgov does not know are compared as text."""
    try:
        return normalize(name, value)
    except ConfigValueError:
        return value


MAX_GLOB_CHARS = 200  # kgov.yaml's schema allows no longer ignore_configs pattern
MAX_KEY_CHARS = 1000  # a config key from the cluster longer than this matches no pattern


def ignored_config(key: str, patterns: Iterable[str]) -> bool:
    """True if a topic config key matches one of the `ignore_configs` globs (case-sensitive, as Kafka
    names are): kgov then never resets it as drift. Bounded: over-long patterns or keys never match
    (fnmatch's translation matches in time linear in the key for patterns of this size)."""
    if len(key) > MAX_KEY_CHARS:
        return False
    return any(len(p) <= MAX_GLOB_CHARS and fnmatch.fnmatchcase(key, p) for p in patterns)
