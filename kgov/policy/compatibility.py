"""Schema compatibility against the git base: the rule `kgov lint --base REF` reports.

Only registered here (documented, configurable in policy.rules, listed in SARIF); the check needs
the base's files, so kgov/base_compat.py runs it, outside the rule engine, when --base is given.
"""

from __future__ import annotations

from kgov.diagnostics import Severity
from kgov.policy.registry import Rule, register

RULE_SCHEMA_INCOMPATIBLE = "schema-incompatible"

SCHEMA_INCOMPATIBLE = register(
    Rule(
        RULE_SCHEMA_INCOMPATIBLE,
        "schema changes keep compatibility",
        "compatibility",
        Severity.ERROR,
        "a schema file changed since the git base in a way its subject's compatibility level forbids",
        "make the change compatible (a default for a new field, a new optional field, a wider type), or "
        "agree a lower level with the subject's consumers first",
        "With `kgov lint --base REF`, every schema file that differs from its version at the git ref "
        "REF (and every schema referencing one that does) is checked with kgov's offline checker at its "
        "subject's level: the topic's `compatibility`, else `policy.default_compatibility`. The ref is "
        "read through git, without a checkout. Each breaking change is listed (the field, what changed, "
        "which way data is read); a compatible change and a new subject are silent, and a level of "
        "`NONE` is never checked. Offline, lint knows only the base version: a `*_TRANSITIVE` level is "
        "checked against it alone. `kgov plan` checks every level, transitive ones included, against "
        "the subject's full history in the registry, which is the check of record.",
        reported_by="kgov lint --base",
    )
)
