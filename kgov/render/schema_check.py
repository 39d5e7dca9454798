"""`kgov schema check`'s verdict: a line for people (each breaking change below it) or JSON."""

from __future__ import annotations

import json

from kgov.sanitize import printable, safe_lines
from kgov.schemas.model import Verdict


def render_json(verdict: Verdict, _new: str) -> str:
    return json.dumps(verdict.to_json(), indent=2)


def render_text(verdict: Verdict, new: str) -> str:
    name = printable(new)
    level = verdict.level.value
    if verdict.compatible:
        lines = [f"✓ {name} is compatible at {level}"]
    else:
        count = len(verdict.breaking)
        what = "could not be checked" if any(b.unchecked for b in verdict.breaking) else "is incompatible"
        lines = [f"✗ {name} {what} at {level}: {count} breaking change{'s' * (count > 1)}"]
        lines += [f"  - {printable(breaking.message())}" for breaking in verdict.breaking]  # schema text
    return safe_lines("\n".join(lines))
