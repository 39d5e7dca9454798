"""`kgov rules --format markdown`: kgov's own rules (the generated reference, kgov/policy/docs.py),
then a catalog's own (policy.custom_rules, written in a pull request like any file: every value
escaped, as in any other Markdown kgov writes)."""

from __future__ import annotations

from kgov.policy.docs import markdown
from kgov.policy.registry import Rule
from kgov.render.escape import md_code, md_text


def render(custom: tuple[Rule, ...] = ()) -> str:
    own = markdown()
    return own if not custom else own + "\n".join(_custom(custom)) + "\n"


def _custom(custom: tuple[Rule, ...]) -> list[str]:
    """The catalog's own rules (policy.custom_rules, written in a pull request like any file): every
    value is escaped, as in any other Markdown kgov writes."""
    out = [
        "",
        "# The catalog's own rules (policy.custom_rules)",
        "",
        "| id | severity | checks |",
        "| --- | --- | --- |",
    ]
    out += [f"| {md_code(r.id)} | {r.severity.value} | {md_text(r.name)} |" for r in custom]
    for r in custom:
        out += [
            "",
            f"## {md_code(r.id)}",
            "",
            f"*Severity: **{r.severity.value}**; see docs/custom-rules.md.*",
            "",
        ]
        out += [md_text(r.doc), "", f"**Reports:** {md_text(r.message)}", ""]
        out += [f"**Fix:** {md_text(r.hint)}", ""] if r.hint else []
    return out
