"""The policy itself must make sense: a topic_name regex that compiles, known rule ids, sane bounds."""

from __future__ import annotations

from collections.abc import Iterator

from kgov.catalog.model import Bounds
from kgov.catalog.patterns import PatternError, compile_pattern
from kgov.diagnostics import Severity
from kgov.policy.context import Context
from kgov.policy.registry import Example, Finding, rule, rules
from kgov.suggest import close_match


@rule(
    "policy-settings",
    "valid policy settings",
    severity=Severity.ERROR,
    message="kgov.yaml's policy is invalid: a topic_name regex that RE2 refuses, an unknown rule "
    "id in policy.rules, or a min above a max",
    hint="fix the policy in kgov.yaml",
    doc="""
`policy.topic_name` must be a regular expression in RE2 syntax: Python's, without backreferences
or lookaround, at most 1,000 characters. RE2 matches in time linear in the name, so no pattern can
hang CI. Its named groups `service` and `event`, when present, tell the other naming rules which
part of a name is which. Every key of `policy.rules` must
be a rule id from this page (with a did-you-mean for typos); the structural rules `yaml`, `structure`
and `files` cannot be configured. A bound's `min` must not exceed its `max`.
""",
    examples=(
        Example(
            False,
            {"kgov.yaml": "version: 1\npolicy:\n  rules:\n    topic-name-patern: warning\n"},
            line=4,
            note="an unknown rule id (did you mean 'topic-name-pattern'?)",
        ),
        Example(
            False,
            {"kgov.yaml": "version: 1\npolicy:\n  topic_name: '^(?P<service>[a-z]+\\.(?P<event>.+)$'\n"},
            line=3,
            note="an unbalanced parenthesis",
        ),
        Example(
            False,
            {"kgov.yaml": "version: 1\npolicy:\n  topic_name: '^(?P<service>[a-z]+)\\.(?!tmp)[a-z]+$'\n"},
            line=3,
            note="a lookahead, which RE2 does not support",
        ),
        Example(True, {"kgov.yaml": "version: 1\npolicy:\n  rules: {catch-all-topic: warning}\n"}),
    ),
)
def check_policy(ctx: Context) -> Iterator[Finding]:
    settings = ctx.catalog.settings
    policy = ctx.policy
    try:
        compile_pattern(policy.topic_name)
    except PatternError as exc:
        yield Finding(
            settings.loc("policy", "topic_name"),
            f"policy.topic_name is not a valid regular expression: {exc.reason}",
            "write an RE2 regex (Python syntax without backreferences or lookaround), e.g. "
            "'^(?P<service>[a-z][a-z0-9-]*)\\.(?P<event>[a-z][a-z0-9-]*)$'",
        )
    known = {r.id: r for r in rules()}
    custom = {r.id for r in policy.custom_rules}  # the catalog's own rules: policy.rules may set them
    for key in policy.rules:
        where = settings.loc("policy", "rules", key)
        found = known.get(key)
        if found is None and key in custom:
            continue
        if found is None:
            guess = close_match(key, known)
            yield Finding(
                where,
                f"policy.rules: unknown rule id '{key}'" + (f"; did you mean '{guess}'?" if guess else ""),
                "`kgov rules` lists the rule ids",
            )
        elif not found.configurable:
            yield Finding(
                where,
                f"policy.rules: rule '{key}' cannot be configured",
                "a file failing a structural rule is left out of the lint entirely; fix the file instead",
            )
    for field in ("partitions", "replication_factor"):
        bounds: Bounds = getattr(policy, field)
        if bounds.min is not None and bounds.max is not None and bounds.min > bounds.max:
            yield Finding(
                settings.loc("policy", field, "max"),
                f"policy.{field}: min {bounds.min} is above max {bounds.max}",
                "lower min or raise max",
            )
