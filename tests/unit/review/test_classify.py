"""Classification of access and subject changes, any registered kind, and escaping in Markdown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from kgov.catalog.model import Catalog, Environment, TopicsFile
from kgov.kinds.acl.review import acl_reasons
from kgov.kinds.base import ClassifiesChanges
from kgov.kinds.subjects.review import subject_reasons
from kgov.render import diff_markdown
from kgov.review.compare import review
from tests.unit.plan.helpers import catalog, topic


def _binding(principal: str = "User:orders", name: str = "orders.created", **kw: str) -> dict[str, str]:
    return {
        "principal": principal,
        "resource_type": "topic",
        "pattern": "literal",
        "name": name,
        "operation": "READ",
        "permission": "allow",
        "host": "*",
        **kw,
    }


def _with_pii() -> Catalog:
    cat = catalog(topic("payments.cards"), topic("orders.created"))
    files = tuple(
        replace(
            f,
            topics=tuple(
                replace(t, classification="pii") if t.name == "payments.cards" else t for t in f.topics
            ),
        )
        for f in cat.topic_files
    )
    return replace(cat, topic_files=files)


def _codes(reasons: list[Any]) -> list[tuple[str, str]]:
    return [(r.code, r.level) for r in reasons]


def test_a_principal_losing_access_is_breaking() -> None:
    cat = _with_pii()
    assert _codes(acl_reasons("x", _binding(), None, cat, cat)) == [("access-revoked", "breaking")]
    added_deny = acl_reasons("x", None, _binding(permission="deny"), cat, cat)
    assert _codes(added_deny) == [("access-denied", "breaking")]


def test_grants_to_sensitive_topics_and_wildcards_need_attention() -> None:
    cat = _with_pii()
    assert _codes(acl_reasons("x", None, _binding(), cat, cat)) == [("access-granted", "safe")]
    pii = acl_reasons("x", None, _binding(name="payments.cards"), cat, cat)
    assert _codes(pii) == [("sensitive-access", "attention")]
    assert "pii topic payments.cards" in pii[0].message
    prefixed = acl_reasons("x", None, _binding(name="payments.", pattern="prefixed"), cat, cat)
    assert _codes(prefixed) == [("sensitive-access", "attention")]
    wildcard = acl_reasons("x", None, _binding(principal="User:*"), cat, cat)
    assert _codes(wildcard) == [("wildcard-principal", "attention")]


def test_compatibility_lowered_needs_attention_and_raised_is_safe() -> None:
    cat = catalog()
    lowered = subject_reasons("s", {"compatibility": "FULL"}, {"compatibility": "BACKWARD"}, cat, cat)
    assert _codes(lowered) == [("compatibility-lowered", "attention")]
    raised = subject_reasons(
        "s", {"compatibility": "BACKWARD"}, {"compatibility": "FULL_TRANSITIVE"}, cat, cat
    )
    assert _codes(raised) == [("subject-changed", "safe")]
    none = subject_reasons(
        "s", {"compatibility": None}, {"compatibility": "NONE"}, cat, cat
    )  # BACKWARD default
    assert _codes(none) == [("compatibility-lowered", "attention")]
    # a schema's own compatibility verdict: tests/unit/review/test_diff_command.py (real git, real files)


class NoteKind(ClassifiesChanges):
    """A kind this module has never heard of, with its own classification hook."""

    name = "note"
    title = "notes"
    backend = "kafka"
    order: Mapping[str, int] = {}

    def desired(self, catalog: Catalog, env: Environment) -> Mapping[str, Any]:
        return {t.name: {"text": t.description or ""} for t in catalog.topics()}

    def classify(
        self, name: str, before: Any, after: Any, head: Catalog, base: Catalog
    ) -> Sequence[tuple[str, str, str]]:
        return [("note-edited", "attention", f"{name}: {before} → {after}")]


def test_any_registered_kind_takes_part_with_its_own_classification() -> None:
    base = catalog(topic("orders.a"))
    head_topic = replace(topic("orders.a"), description="new `text` | <b>")
    head = replace(
        base, topic_files=(TopicsFile(head_topic.src, (), service="orders", topics=(head_topic,)),)
    )
    result = review(head, base, base_ref="main", base_commit="0" * 40, kinds=[NoteKind()])  # type: ignore[list-item]
    (change,) = result.changes
    assert change.address == "note.orders.a" and change.level == "attention"
    assert [(r.field, r.before, r.after) for r in change.rows] == [("text", "", "new `text` | <b>")]
    md = diff_markdown.render(result.to_json())
    assert "new `text` | <b>" not in md  # escaped: no code span, cell break or HTML can escape
    assert "<code>new \\`text\\` \\| &lt;b&gt;</code>" in md
