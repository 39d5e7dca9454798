"""Fields the policy requires of every topic (policy.required)."""

from __future__ import annotations

from collections.abc import Iterator

from kgov.diagnostics import Severity
from kgov.policy.context import Context
from kgov.policy.registry import Example, Finding, rule, topic_file

_HINTS = {
    "owner": "set owner: on the topic or at the top of its file (the owning team)",
    "description": "add a description: what one record of the topic means",
    "classification": "add classification: public, internal, confidential or pii",
    "key_schema": "add key_schema: <subject> with its file in schemas/",
    "value_schema": "add value_schema: <subject> with its file in schemas/",
}


def _all_set(ctx: Context, field: str) -> bool:
    """True when no topic lacks `field`: none is None, and each is a str with a character
    str.strip keeps (not "" and not all whitespace), asked in C over the column."""
    try:
        values = ctx.column(field)
        return None not in values and "" not in values and not any(map(str.isspace, values))
    except (AttributeError, TypeError):  # not a field, or not text (a schema's): topic by topic
        return False


@rule(
    "required-fields",
    "required topic fields",
    severity=Severity.ERROR,
    message="a topic lacks a field that policy.required asks for",
    hint="add the field to the topic",
    doc="""
`policy.required` lists the fields every topic must have, among `owner` (the topic's own or its
file's), `description`, `classification`, `key_schema` and `value_schema`. The default is
`[owner, description]`. An empty description counts as missing.
""",
    examples=(
        Example(
            False,
            {
                "topics/orders.yaml": topic_file("orders", "orders.created").replace(
                    "    description: An example topic.\n", ""
                )
            },
            line=4,
        ),
        Example(
            False,
            {
                "kgov.yaml": "version: 1\npolicy:\n  required: [owner, description, classification]\n",
                "topics/orders.yaml": topic_file("orders", "orders.created"),
            },
            line=4,
            file="topics/orders.yaml",
            note="a stricter policy",
        ),
    ),
)
def check_required(ctx: Context) -> Iterator[Finding]:
    required = ctx.policy.required
    if all(_all_set(ctx, field) for field in required):
        return
    for topic in ctx.topics:
        for field in required:
            value = getattr(topic, field, None)
            if value is None or (isinstance(value, str) and not value.strip()):
                yield Finding(
                    topic.loc(),
                    f"topic '{topic.name}' has no {field} (required by policy.required)",
                    _HINTS.get(field),
                )
