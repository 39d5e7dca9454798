"""The shortcuts lint takes at 100,000 topics give what the work they skip would give."""

from __future__ import annotations

import pytest

from kgov.policy.compaction import STATE_DESCRIPTION, _says_state

DESCRIPTIONS = [
    "Event orders.created of the benchmark.",
    "Latest order of each customer.",
    "the LATEST value",
    "latestness is no word",
    "State of each order.",
    "state  of two spaces",
    "statement of account",
    "The current value of the stock.",
    "current values",
    "current VERSIONS of the price",
    "currently running",
    "A snapshot of the table.",
    "snapshots of tables",
    "\u017ftate of the order",  # long s: case-insensitive matching takes it for 's'
    "\u212aelvin: latest",  # Kelvin sign, and a match after it
    "Neueste Zustände, current state",
    "",
]


@pytest.mark.parametrize("description", DESCRIPTIONS)
def test_says_state_is_the_description_search(description: str) -> None:
    found, expected = _says_state(description), STATE_DESCRIPTION.search(description)
    assert (found and found.group(0)) == (expected and expected.group(0))
