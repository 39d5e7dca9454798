"""Schema compatibility: the rule `kgov lint --base REF` reports, and the bound on schema nesting.

`schema-incompatible` is only registered here (documented, configurable in policy.rules, listed in
SARIF); the check needs the base's files, so kgov/base_compat.py runs it, outside the rule engine,
when --base is given. `schema-too-deep` is an ordinary rule: the compatibility checker does not
compare schemas nested deeper than it goes (kgov/schemas/bounds.py), so lint refuses them first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from kgov.diagnostics import Location, Severity
from kgov.policy.context import Context
from kgov.policy.registry import Example, Finding, Rule, register, rule
from kgov.schemas.bounds import MAX_NESTING, nesting, position
from kgov.schemas.source import MAX_DEPTH, json_depth

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
        "the subject's full history in the registry, which is the check of record. A check that cannot "
        "be done is reported too, never taken for a pass: a schema (either side) that does not parse, "
        "one nested too deeply (see `schema-too-deep`), or one too complex to compare within the "
        "checker's budget of steps (alternatives nested in alternatives, for instance).",
        reported_by="kgov lint --base",
    )
)

_DEEP_EXAMPLE = (
    '{"type": "array", '
    + '"items": {"type": "array", ' * MAX_NESTING
    + '"items": {}'
    + "}" * (MAX_NESTING + 1)
)


# Each level of JSON is an object or array of its own (json_depth counts the innermost value too:
# at most the brackets + 1), and each level of types a JSON object of its own (nesting): a text of at
# most this many brackets, strings' brackets included, is within both limits.
_FEW_BRACKETS = min(MAX_NESTING, MAX_DEPTH - 1)


@rule(
    "schema-too-deep",
    "schemas are nested at most 64 levels deep",
    severity=Severity.ERROR,
    message=f"a schema file nests more than {MAX_NESTING} levels of types",
    hint="flatten the schema (name a shared type once, or reference another subject)",
    doc=f"""
A schema may nest at most {MAX_NESTING} levels: Avro records, arrays and maps inside one another
(a union is not a level of its own), or JSON Schema subschemas inside one another (`properties`,
`items`, `anyOf`/`oneOf`/`allOf`, `additionalProperties`, `definitions`, …). The file's JSON may
nest at most {MAX_DEPTH} levels of objects and arrays. Real schemas stay far below both; deeper ones
are refused because the compatibility checker (`kgov lint --base`, `kgov diff`, `kgov plan`,
`kgov schema check`) does not compare them: it reports them as not checked, never as compatible.
The finding points at the first name found on the path to the deepest level.
""",
    examples=(
        Example(
            False,
            {"schemas/orders.tree-value.json": _DEEP_EXAMPLE + "\n"},
            line=1,
            note=f"arrays of arrays, {MAX_NESTING + 1} levels deep",
        ),
    ),
)
def check_schema_depth(ctx: Context) -> Iterator[Finding]:
    for schema in ctx.catalog.schemas.values():
        if schema.text.count("{") + schema.text.count("[") <= _FEW_BRACKETS:
            continue  # cannot nest that deep: 10,000 schemas of a plan are not parsed and walked
        try:
            doc = json.loads(schema.text)
        except (ValueError, RecursionError):
            continue  # invalid-schema reports it
        if json_depth(doc) > MAX_DEPTH:
            yield Finding(
                Location(schema.file, 1, 1),
                f"schema '{schema.subject}' nests deeper than {MAX_DEPTH} levels of JSON",
            )
            continue
        levels, names = nesting(doc, schema.format)
        if levels > MAX_NESTING:
            line, col = position(schema.text, names, schema.format) or (1, 1)
            yield Finding(
                Location(schema.file, line, col),
                f"schema '{schema.subject}' nests more than {MAX_NESTING} levels of types "
                "(the compatibility checker goes no deeper)",
            )
