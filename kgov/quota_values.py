"""Client quota values: Kafka's quota keys, the readable rates a catalog writes, Kafka's form. Pure.

Lint (is this value legal?) and the quota kind's diff (is the cluster's value the catalog's?) both
go through `kafka_value`, so `100KiB/s` in the catalog and 102400.0 on the cluster never differ.

Kafka's rules (Kafka 4, ClientQuotaControlManager): every quota value is a double greater than 0;
the byte rates are longs, so a whole number of bytes per second; request_percentage is a percentage
of one network or I/O thread (n threads give n x 100 %, so above 100 is legal);
controller_mutation_rate is partition mutations per second.
"""

from __future__ import annotations

import math
import re

BYTE_RATES = ("producer_byte_rate", "consumer_byte_rate")
QUOTA_KEYS = (*BYTE_RATES, "request_percentage", "controller_mutation_rate")
LONG_MAX = 2**63 - 1
_MAX_TEXT = 40  # of a value quoted in a message

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
}
# '10MiB/s', '1.5 MB/s', '100KiB', '1048576': a number, a unit, an optional '/s'
_RATE = re.compile(r"\s*(\d{1,19}(?:\.\d{1,9})?)\s*([a-zA-Z]{0,3})\s*(?:/\s*s)?\s*")
_NUMBER = re.compile(r"\s*[+-]?(\d{1,19}(\.\d{0,9})?|\.\d{1,9})([eE][+-]?\d{1,3})?\s*")


class QuotaValueError(ValueError):
    """A value Kafka would refuse, or kgov cannot read; the message says which and how to write it."""


def kafka_value(key: str, value: object) -> float:
    """The value of quota `key` as Kafka stores it (a double), from what a catalog writes."""
    if key not in QUOTA_KEYS:
        raise QuotaValueError(f"unknown quota '{key[:_MAX_TEXT]}': one of {', '.join(QUOTA_KEYS)}")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise QuotaValueError(f"{key} must be a number{' or a rate' if key in BYTE_RATES else ''}")
    number = _byte_rate(key, value) if key in BYTE_RATES else _number(key, value)
    if not math.isfinite(number) or number <= 0:
        raise QuotaValueError(f"{key} must be greater than 0 (Kafka refuses {_shown(value)})")
    if key in BYTE_RATES and number > LONG_MAX:
        raise QuotaValueError(f"{key} {_shown(value)} is above Kafka's largest rate")
    return number


def read_byte_rate(text: str) -> float | None:
    """Bytes per second from '10MiB/s', '1.5 MB/s', '100KiB', '1048576' (a number alone is bytes/s);
    None when the text is not a rate. Also `kgov apply --throttle`'s reader (kgov/kinds/rates.py)."""
    m = _RATE.fullmatch(text)
    unit = m.group(2).lower() if m else ""
    if m is None or unit not in _UNITS:
        return None
    return float(m.group(1)) * _UNITS[unit]


def _byte_rate(key: str, value: int | float | str) -> float:
    if isinstance(value, int):
        return float(value)
    if isinstance(value, float):
        number = value
    else:
        read = read_byte_rate(value)
        if read is None:
            raise QuotaValueError(
                f"cannot read the rate {_shown(value)} of {key}: write bytes per second as a whole "
                "number or with a unit, e.g. 102400, 100KiB/s, 10MiB/s, 1.5MB/s"
            )
        number = read
    if math.isfinite(number) and number != math.floor(number):
        raise QuotaValueError(
            f"{key} {_shown(value)} is not a whole number of bytes per second ({number:g}): "
            "Kafka keeps byte rates as integers"
        )
    return number


def _number(key: str, value: int | float | str) -> float:
    if isinstance(value, str):
        if _NUMBER.fullmatch(value) is None:
            raise QuotaValueError(f"{key} must be a number, got {_shown(value)}")
        return float(value)
    return float(value)


def kafka_form(value: float) -> int | float:
    """A value for the plan, as Kafka's tools print it: 102400 for 102400.0, 12.5 stays."""
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def readable(key: str, value: float) -> str:
    """For people: '100 KiB/s' for a byte rate, '50 %', '10 /s'."""
    if key in BYTE_RATES:
        for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
            if value >= size and (value / size * 10).is_integer():
                return f"{value / size:g} {unit}/s"
        return f"{kafka_form(value)} B/s"
    if key == "request_percentage":
        return f"{kafka_form(value)} %"
    return f"{kafka_form(value)} /s"


def _shown(value: object) -> str:
    text = str(value)
    return (
        repr(text[:_MAX_TEXT] + ("..." if len(text) > _MAX_TEXT else ""))
        if isinstance(value, str)
        else text[:_MAX_TEXT]
    )
