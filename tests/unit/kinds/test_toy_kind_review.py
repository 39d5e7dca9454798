"""The toy kind takes part in `kgov diff --base` with its own change classes and locations, and the
diff's renderers show them, with no edit in kgov/ (tests/unit/kinds/toy/review.py is all it takes)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog, Environment
from kgov.kinds import KINDS
from kgov.render.formats import DIFF
from kgov.review.compare import review
from tests.unit.kinds.toy.kind import BudgetKind

REPO = Path(__file__).resolve().parents[3]


class ServiceBudgets(BudgetKind):
    """The toy, its budgets following the catalog (so two catalogs differ): each service's principal
    gets 10 KB/s per partition of its topics."""

    def desired(self, catalog: Catalog, env: Environment) -> Mapping[str, int]:
        out: dict[str, int] = {}
        for t in catalog.topics():
            out[f"User:{t.service}"] = out.get(f"User:{t.service}", 0) + 10 * t.partitions
        return out


def _catalogs() -> tuple[Catalog, Catalog]:
    """The example catalog (head) and a base where the orders topics had more partitions, the
    shipping topics fewer, and the notifications service did not exist yet."""
    head = load_catalog(REPO / "catalog").catalog
    wider = {"orders": 12, "shipping": 3}
    files = tuple(
        replace(f, topics=tuple(replace(t, partitions=wider.get(f.service, t.partitions)) for t in f.topics))
        for f in head.topic_files
        if f.service != "notifications"
    )
    return head, replace(head, topic_files=files)


def test_the_toy_kind_is_reviewed_with_its_own_classes_and_locations() -> None:
    head, base = _catalogs()
    result = review(head, base, base_ref="main", base_commit="0" * 40, kinds=(*KINDS, ServiceBudgets()))
    budgets = {c.name: c for c in result.changes if c.kind == "budget"}
    assert sorted(budgets) == ["User:notifications", "User:orders", "User:shipping"]

    orders, shipping, notifications = (
        budgets["User:orders"],
        budgets["User:shipping"],
        budgets["User:notifications"],
    )
    assert [(r.code, r.level) for r in orders.reasons] == [("budget-lowered", "breaking")]
    assert orders.level == "breaking" and orders.action == "change"
    assert [(r.field, r.before, r.after) for r in orders.rows] == [("rate", 360, 180)]
    assert [(r.code, r.level) for r in shipping.reasons] == [("budget-raised", "safe")]
    assert [(r.code, r.level) for r in notifications.reasons] == [("budget-added", "safe")]
    assert notifications.action == "add"

    # located by the toy: at its principal's acls file (`principal:` is line 4), not at kgov.yaml
    for principal, change in budgets.items():
        service = principal.removeprefix("User:")
        assert Path(change.where.file).as_posix().endswith(f"catalog/acls/{service}.yaml")
        assert change.where.line == 4

    # the topics' own changes still come with the topic kind's classes
    topic_codes = {r.code for c in result.changes if c.kind == "topic" for r in c.reasons}
    assert {"partitions-decreased", "partitions-increased", "topic-added"} <= topic_codes


def test_the_diff_renderers_show_the_toy_kinds_changes() -> None:
    head, base = _catalogs()
    doc = review(
        head, base, base_ref="main", base_commit="0" * 40, kinds=(*KINDS, ServiceBudgets())
    ).to_json()

    as_json = json.loads(DIFF["json"](doc))
    (orders,) = [c for c in as_json["changes"] if c["address"] == "budget.User:orders"]
    assert orders["class"] == "breaking"
    assert orders["reasons"] == [
        {
            "code": "budget-lowered",
            "class": "breaking",
            "message": "User:orders: 360 → 180 KB/s: its clients are throttled harder",
        }
    ]
    assert orders["location"]["line"] == 4

    text = DIFF["text"](doc)
    assert "BREAKING  ~ budget User:orders  (" in text
    assert "acls/orders.yaml:4)" in text
    assert "    breaking: User:orders: 360 → 180 KB/s: its clients are throttled harder" in text
    assert "    rate: 360 → 180" in text
    assert "safe      + budget User:notifications  (" in text

    markdown = DIFF["markdown"](doc)
    assert (
        "| 🔴 breaking | change budget <code>User:orders</code> | "
        "User:orders: 360 → 180 KB/s: its clients are throttled harder |"
    ) in markdown
    assert "🟢 **add** budget <code>User:notifications</code>" in markdown
    assert "| <code>rate</code> | <code>360</code> | <code>180</code> |" in markdown

    sarif = json.loads(DIFF["sarif"](doc))
    results = sarif["runs"][0]["results"]
    (lowered,) = [r for r in results if r["partialFingerprints"]["kgovAddress"] == "budget.User:orders"]
    assert lowered["ruleId"] == "diff/budget-lowered" and lowered["level"] == "error"
    region = lowered["locations"][0]["physicalLocation"]
    assert region["artifactLocation"]["uri"].endswith("acls/orders.yaml")
    assert region["region"]["startLine"] == 4
    rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {"diff/budget-lowered", "diff/budget-raised", "diff/budget-added"} <= rules
