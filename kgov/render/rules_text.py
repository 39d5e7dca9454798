"""`kgov rules`: each lint rule's id, severity, what it checks and how to fix it, for the terminal
(`--format markdown` is the reference, kgov/policy/docs.py)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from kgov.policy.registry import Rule, rules
from kgov.sanitize import printable


def render(custom: tuple[Rule, ...] = ()) -> None:
    """`custom`: the catalog's policy.custom_rules, listed after kgov's own."""
    parts: list[Text] = []
    listed = (*rules(), *custom)
    for rule in listed:
        head = Text(rule.id, style="bold cyan")
        head.append(f"  {rule.severity.value}", style="red" if rule.severity.value == "error" else "yellow")
        head.append(f"  {printable(rule.name)}")
        # a custom rule (from kgov.yaml: untrusted) is shown by its expression; Text reads no markup
        parts += [head, Text(f"    {printable(rule.doc if rule.family == 'custom' else rule.message)}")]
        parts += [Text(f"    fix: {printable(rule.hint)}", style="dim")] if rule.hint else []
        parts.append(Text(""))
    parts.append(Text(f"{len(listed)} rules; details and examples: kgov rules --format markdown"))
    Console(highlight=False, emoji=False).print(*parts, sep="\n")
