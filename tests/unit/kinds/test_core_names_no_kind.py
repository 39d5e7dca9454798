"""Only the kinds know themselves: no module outside kgov/kinds/ (the registry and the kinds'
packages) decides by a kind's name, and none mentions the toy kind of tests/unit/kinds/toy/.

What "deciding by name" looks like, found in the syntax tree (not by grep, so that Kafka's own
vocabulary, e.g. an ACL binding's resource type "topic" or the audit's graph node types, stays
free): a comparison of `.kind`, `.name` or a variable called `kind` with a kind's name
(`kind.name == "topic"`, `entry.kind in ("acl",)`), a call with a kind's name as its only argument
(`read.of("topic")`), a dict keyed by kind names that maps them to behaviour, and a constant whose
name says it lists kinds (`_USER_KINDS = ("user",)`).
"""

from __future__ import annotations

import ast
from pathlib import Path

from kgov.kinds import KINDS

KGOV = Path(__file__).resolve().parents[3] / "kgov"
NAMES = frozenset(kind.name for kind in KINDS)
TOY_PACKAGE = Path(__file__).resolve().parent / "toy"


def _toy_words() -> list[str]:
    """Every class the toy kind's package defines (the kind, its store, its capability mixins)."""
    names = [
        node.name
        for path in sorted(TOY_PACKAGE.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    ]
    return [*names, "kinds.toy", "kinds/toy"]


def _core_files() -> list[Path]:
    return sorted(
        p
        for p in KGOV.rglob("*.py")
        if "kinds" not in p.relative_to(KGOV).parts[:1] and "compiled" not in p.parts
    )


def _kind_literals(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and node.value in NAMES:
        return [str(node.value)]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [name for elt in node.elts for name in _kind_literals(elt)]
    return []


def _about_a_kind(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr in ("kind", "name")
    return isinstance(node, ast.Name) and node.id in ("kind", "kind_name")


def _reads_a_key(call: ast.Call) -> bool:
    """`doc.get("subject")`: a catalog file's field, not a kind."""
    return isinstance(call.func, ast.Attribute) and call.func.attr in ("get", "pop", "setdefault")


def _decisions(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_about_a_kind(s) for s in sides):
                found += [(node.lineno, n) for s in sides for n in _kind_literals(s)]
        elif (
            isinstance(node, ast.Call)
            and len(node.args) == 1
            and not node.keywords
            and not _reads_a_key(node)
        ):
            found += [(node.lineno, n) for n in _kind_literals(node.args[0])]
        elif isinstance(node, ast.Dict):
            keys = [n for k in node.keys if k is not None for n in _kind_literals(k)]
            if len(keys) >= 2 and all(
                isinstance(v, (ast.Name, ast.Attribute, ast.Lambda)) for v in node.values
            ):
                found += [(node.lineno, n) for n in keys]
        elif isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if any("KIND" in t.upper() for t in targets):
                found += [(node.lineno, n) for n in _kind_literals(node.value)]
    return found


def test_no_core_module_decides_by_a_kinds_name() -> None:
    found = [
        f"{path.relative_to(KGOV.parent)}:{line}: {name!r}"
        for path in _core_files()
        for line, name in _decisions(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == []


def test_the_check_sees_each_way_of_deciding_by_name() -> None:
    cases = {
        'if kind.name == "topic": pass': 1,
        'ok = entry.kind in ("acl", "user")': 2,
        'x = read.of("topic")': 1,
        'ref = doc.get("subject")': 0,
        'RULES = {"topic": topic_reasons, "acl": acl_reasons}': 2,
        '_USER_KINDS = ("user",)': 1,
        'FILL = {"principal": "#fff", "topic": "#eee"}': 0,  # Kafka's vocabulary, not a decision
        'ok = binding.resource_type == "topic"': 0,
    }
    assert {src: len(_decisions(ast.parse(src))) for src in cases} == cases


def test_no_kgov_module_mentions_the_toy_kind() -> None:
    """The toy (tests/unit/kinds/toy/) plans, applies, snapshots, reviews, audits and imports
    through the core: no kgov module names its classes, and no core module its name ("budget"), its
    addresses ("budget.<principal>") or its change and violation codes ("budget-lowered")."""
    words, sources, core = _toy_words(), sorted(KGOV.rglob("*.py")), _core_files()
    assert len(words) >= 6 and len(core) > 50  # the walks found the toy's classes and the core
    found = [
        f"{path.relative_to(KGOV.parent)}: {word}"
        for path in sources
        for word in words
        if word in path.read_text(encoding="utf-8")
    ]
    found += [
        f"{path.relative_to(KGOV.parent)}:{line}"
        for path in core
        for line, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(mark in text for mark in ('"budget"', "'budget'", '"budget.', "budget-"))
    ]
    assert found == []
