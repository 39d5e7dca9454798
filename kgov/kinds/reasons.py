"""Why a change matters, in the words a kind's review rules use (`ClassifiesChanges`).

The three classes of a change and a `Reason` live here, below the review (kgov/review/model.py
builds on them), so a kind can say its reasons without importing the review.
"""

from __future__ import annotations

from dataclasses import dataclass

from kgov.plan.model import JSON

SAFE = "safe"
ATTENTION = "attention"
BREAKING = "breaking"
CLASSES = (SAFE, ATTENTION, BREAKING)  # in rising order


@dataclass(frozen=True)
class Reason:
    """Why one change needs a reviewer's eye: a stable code (a SARIF rule), its class, a message."""

    code: str  # "partitions-decreased"
    level: str  # one of CLASSES
    message: str

    def to_json(self) -> dict[str, JSON]:
        return {"code": self.code, "class": self.level, "message": self.message}

    def triple(self) -> tuple[str, str, str]:
        """What `ClassifiesChanges.classify` returns for this reason."""
        return (self.code, self.level, self.message)
