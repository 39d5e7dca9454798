"""The ACL state a plan records (managed addresses, sorted by their fields), made from the joined
fields (issue 23: 100,000 bindings), is what sorting the Binding objects made, NUL in a field too."""

from __future__ import annotations

import random
from typing import Any

import pytest

from kgov.bindings import Binding
from kgov.kinds.acl.observe import AclScope, ObservedAcls

# prefixes of one another, dots (the address joins with them), NUL and characters below "."
NAMES = ("t", "t.a", "t.a.b", "ta", "t-", "t\0", "t\0a", "", "*", "t\x01", "é")


def old_to_json(observed: ObservedAcls) -> dict[str, Any]:
    managed = observed.managed
    return {"managed": [b.address for b in managed], "unmanaged": len(observed.bindings) - len(managed)}


def random_binding(rng: random.Random, nul: bool) -> Binding:
    names = NAMES if nul else tuple(n for n in NAMES if "\0" not in n)
    return Binding(
        rng.choice(("User:a", "User:a.b", "User:ab", "User:c")),
        rng.choice(("topic", "group")),
        rng.choice(("literal", "prefixed")),
        rng.choice(names),
        rng.choice(("READ", "WRITE")),
        rng.choice(("allow", "deny")),
        rng.choice(("*", "10.0.0.1")),
    )


@pytest.mark.parametrize("seed", range(300))
def test_the_state_is_what_sorting_the_bindings_gave(seed: int) -> None:
    rng = random.Random(seed)
    nul = seed % 3 == 0
    bindings = frozenset(random_binding(rng, nul) for _ in range(rng.randrange(0, 80)))
    principals = tuple(rng.sample(["User:a", "User:a.b", "User:ab", "User:d"], rng.randrange(0, 5)))
    observed = ObservedAcls.of(AclScope(principals, ()), bindings)
    assert observed.to_json() == old_to_json(observed)
