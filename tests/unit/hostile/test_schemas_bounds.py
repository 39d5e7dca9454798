"""Hostile probe holes 5 and 8: schemas nested to bypass the compatibility gate, and schemas whose
comparison was exponential. Each case goes through the real commands (`kgov lint --base`, `kgov diff
--base`, `kgov schema check`, and plan against the in-memory registry): the outcome is a finding
(an error, a breaking change, a refusal), never "compatible", and it comes in well under 20 s."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kgov.cluster.memory.registry import MemoryRegistry
from kgov.cluster.registry.port import NewSchema
from tests.gitrepo import commit, init
from tests.support import Result, kgov
from tests.unit.kinds.test_subjects import cat, plan

BOUND_S = 20.0
SUBJECT = "orders.created-value"
KGOV_YAML = "version: 1\npolicy:\n  default_compatibility: {level}\n"
TOPICS = (
    "service: orders\nowner: team-orders\ntopics:\n  - name: orders.created\n"
    "    description: An order was placed.\n    partitions: 6\n    replication_factor: 3\n"
    "    config: {min.insync.replicas: 2}\n    value_schema: orders.created-value\n"
)
ACLS = "service: orders\nprincipal: User:orders\nproduces: [orders.created]\n"


# The probe's shapes, written as text (a document 1,000 levels deep cannot go through json.dumps).
def avro_deep(levels: int, leaf: str) -> str:
    """Records nested `levels` deep (one per line), `leaf` the type of the innermost field."""
    head = "".join(
        f'{{"type": "record", "name": "L{i}", "fields": [{{"name": "c", "type":\n' for i in range(levels)
    )
    return head + f'"{leaf}"' + "}]}" * levels + "\n"


def json_deep(levels: int, leaf: str) -> str:
    """Objects nested `levels` deep through property "c" (one per line)."""
    return (
        '{"type": "object", "properties": {"c":\n' * levels + f'{{"type": "{leaf}"}}' + "}}" * levels + "\n"
    )


def avro_dag(levels: int, leaf: str) -> str:
    """Each level a record with two nullable fields of the level below (one named, shared type):
    a tree of 2**levels paths over `levels` types; the change is at the top (`Root.id`)."""
    node: Any = {"type": "record", "name": "L0", "fields": [{"name": "v", "type": "string"}]}
    for i in range(1, levels):
        node = {
            "type": "record",
            "name": f"L{i}",
            "fields": [
                {"name": "a", "type": ["null", node], "default": None},
                {"name": "b", "type": ["null", f"L{i - 1}"], "default": None},
            ],
        }
    root = {
        "type": "record",
        "name": "Root",
        "fields": [{"name": "id", "type": leaf}, {"name": "t", "type": node}],
    }
    return json.dumps(root, indent=1)


def json_recursive_base() -> str:
    """A recursive schema ($ref to itself) with two object alternatives."""
    node = {"$ref": "#/definitions/n"}
    alternatives = [
        {"type": "string"},
        {"type": "object", "properties": {"c": node}},
        {"type": "object", "properties": {"c": node, "d": {"type": "string"}}},
    ]
    return json.dumps({"$ref": "#/definitions/n", "definitions": {"n": {"anyOf": alternatives}}}, indent=1)


def json_chain(levels: int) -> str:
    """An anyOf chain `levels` deep (~4.8 KB at 30), an integer where the base allows strings."""
    node: Any = {"type": "integer"}
    for i in range(levels):
        node = {
            "description": f"level {i} of the chain, padded as a real description would be",
            "anyOf": [{"type": "string"}, {"type": "object", "properties": {"c": node}}],
        }
    return json.dumps(node)


def json_grid(levels: int, width: int, b: str) -> str:
    """`levels` anyOf of `width` objects, each level referencing the next: polynomial with the memo,
    but past the checker's budget; the breaking change (`b`) comes after it in the walk."""
    defs: dict[str, Any] = {f"d{levels}": {"type": "string"}}
    for i in range(levels):
        nxt = {"$ref": f"#/definitions/d{i + 1}"}
        defs[f"d{i}"] = {
            "anyOf": [
                {"type": "object", "required": [f"q{j}"], "properties": {"p": nxt}} for j in range(width)
            ]
        }
    props = {"a": {"$ref": "#/definitions/d0"}, "b": {"type": b}}
    return json.dumps({"type": "object", "properties": props, "definitions": defs})


# (id, format, old text, new text, level)
Case = tuple[str, str, Callable[[], str], Callable[[], str], str]
DEEP: list[Case] = [
    ("avro-200", "avsc", lambda: avro_deep(200, "string"), lambda: avro_deep(200, "long"), "BACKWARD"),
    ("avro-1000", "avsc", lambda: avro_deep(1000, "string"), lambda: avro_deep(1000, "long"), "BACKWARD"),
    ("json-200", "json", lambda: json_deep(200, "string"), lambda: json_deep(200, "integer"), "BACKWARD"),
    ("json-1000", "json", lambda: json_deep(1000, "string"), lambda: json_deep(1000, "integer"), "BACKWARD"),
]
SLOW: list[Case] = [
    ("avro-dag-20", "avsc", lambda: avro_dag(20, "string"), lambda: avro_dag(20, "long"), "BACKWARD"),
    ("json-anyof-chain", "json", json_recursive_base, lambda: json_chain(30), "FULL"),
    ("json-too-complex", "json", lambda: json_grid(20, 100, "string"), lambda: json_grid(20, 100, "integer"),
     "BACKWARD"),
]  # fmt: skip
ALL = [pytest.param(case, id=case[0]) for case in DEEP + SLOW]


def _repo(tmp_path: Path, suffix: str, old: str, new: str, level: str) -> tuple[Path, Path]:
    """A catalog whose one subject had `old` at HEAD and has `new` in the working tree."""
    repo = init(tmp_path / "repo")
    root = repo / "catalog"
    for rel, text in {
        "kgov.yaml": KGOV_YAML.format(level=level),
        "topics/orders.yaml": TOPICS,
        "acls/orders.yaml": ACLS,
        f"schemas/{SUBJECT}.{suffix}": old,
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    commit(repo, "base")
    schema = root / "schemas" / f"{SUBJECT}.{suffix}"
    schema.write_text(new, "utf-8")
    return root, schema


def _timed(*args: str) -> tuple[Result, float]:
    start = time.monotonic()
    result = kgov(*args)
    return result, time.monotonic() - start


@pytest.fixture(params=ALL)
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path, Path, str]]:
    name, suffix, old, new, level = request.param
    root, schema = _repo(tmp_path, suffix, old(), new(), level)
    yield name, root, schema, level


def test_lint_base_reports_the_subject_never_silent(case: tuple[str, Path, Path, str]) -> None:
    name, root, schema, _ = case
    result, took = _timed("lint", str(root), "--base", "HEAD", "--format", "json")
    assert took < BOUND_S, f"{name}: lint --base took {took:.1f} s"
    assert result.code == 1, result.output
    assert "Traceback" not in result.output
    errors = [d for d in json.loads(result.stdout)["diagnostics"] if d["severity"] == "error"]
    assert any(d["file"] == str(schema) for d in errors), errors
    if not name.endswith("1000"):  # read and parsed: the gate itself must speak
        (gate,) = [d for d in errors if d["rule"] == "schema-incompatible"]
        assert gate["file"] == str(schema) and SUBJECT in gate["message"]
        assert "could not be checked" in gate["message"] or " is not " in gate["message"]


def test_diff_base_never_calls_it_safe(case: tuple[str, Path, Path, str]) -> None:
    name, root, schema, _ = case
    result, took = _timed("diff", "--base", "HEAD", "--catalog", str(root), "--format", "json")
    assert took < BOUND_S, f"{name}: diff --base took {took:.1f} s"
    assert "Traceback" not in result.output
    if result.code != 0:  # a catalog refused outright is not a pass either
        assert result.code == 1 and str(schema.name) in result.output
        return
    (change,) = [c for c in json.loads(result.stdout)["changes"] if c["address"] == f"subject.{SUBJECT}"]
    assert change["class"] == "breaking", change
    codes = {r["code"] for r in change["reasons"]}
    assert "schema-incompatible" in codes and "schema-compatible" not in codes, change


def test_schema_check_is_a_failure(case: tuple[str, Path, Path, str], tmp_path: Path) -> None:
    name, root, schema, level = case
    old = tmp_path / f"old{schema.suffix}"
    old.write_text(_base_text(root, schema), "utf-8")
    result, took = _timed("schema", "check", "--old", str(old), "--new", str(schema), "--level", level)
    assert took < BOUND_S, f"{name}: schema check took {took:.1f} s"
    assert result.code == 1, result.output
    assert "is compatible" not in result.output and "Traceback" not in result.output


def _base_text(root: Path, schema: Path) -> str:
    from tests.gitrepo import git

    return git(root.parent, "show", f"HEAD:catalog/schemas/{schema.name}") + "\n"


@pytest.mark.parametrize("case", ALL)
def test_plan_refuses_to_register_before_the_registry_is_asked(case: Case) -> None:
    name, suffix, old, new, level = case
    registry_type = "AVRO" if suffix == "avsc" else "JSON"
    # A deep schema is not registrable (the in-memory registry refuses it, like kgov): a shallow base.
    base = (
        (avro_deep(3, "string") if suffix == "avsc" else json_deep(3, "string"))
        if name.endswith(("-200", "-1000"))
        else old()
    )
    reg = MemoryRegistry(global_level="NONE")
    reg.register(NewSchema(SUBJECT, registry_type, base))
    start = time.monotonic()
    (entry,) = plan(cat({f"{SUBJECT}.{suffix}": new()}, level=level), reg).entries
    assert time.monotonic() - start < BOUND_S, f"{name}: plan took {time.monotonic() - start:.1f} s"
    assert entry.action == "blocked", entry
    assert reg.calls.count("register") == 1  # the base's only


@pytest.mark.parametrize("levels", [64, 65])
def test_lint_bounds_nesting_at_64_levels_at_the_deepest_line(levels: int, tmp_path: Path) -> None:
    for fmt, text in (("avsc", avro_deep(levels, "string")), ("json", json_deep(levels, "string"))):
        root, schema = _repo(tmp_path / fmt, fmt, text, text, "BACKWARD")
        result = kgov("lint", str(root), "--format", "json")
        deep = [d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == "schema-too-deep"]
        if levels <= 64:
            assert deep == [], deep
            continue
        assert result.code == 1
        (diag,) = deep
        assert diag["file"] == str(schema) and diag["severity"] == "error"
        assert diag["line"] == levels and diag["column"] >= 1  # the innermost level's name
