"""`kgov rules`: each lint rule's id, severity, what it checks and how to fix it, for the terminal
(`--format markdown` is the reference, kgov/policy/docs.py)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from kgov.policy.registry import Rule, rules


def render(custom: tuple[Rule, ...] = ()) -> None:
    """`custom`: the catalog's policy.custom_rules, listed after kgov's own."""
    parts: list[Text] = []
    for rule in (*rules(), *custom):
        head = Text(rule.id, style="bold cyan")
        head.append(f"  {rule.severity.value}", style="red" if rule.severity.value == "error" else "yellow")
        head.append(f"  {rule.name}")
        parts += [head, Text(f"    {rule.message}"), Text(f"    fix: {rule.hint}", style="dim"), Text("")]
    parts.append(Text(f"{len(parts) // 4} rules; details and examples: kgov rules --format markdown"))
    Console(highlight=False, emoji=False).print(*parts, sep="\n")
