"""`kgov lint --base REF`: schema compatibility against the git base, on real git repositories with
two commits (the example catalog, then an edit), in every output format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from kgov.catalog.model import SchemaFile
from kgov.kinds.subjects.compat import changed_subjects, locate
from kgov.schemas.references import Ref
from tests.gitrepo import commit, git, init
from tests.support import kgov

EXAMPLE = Path(__file__).resolve().parents[2] / "catalog"
RULE = "schema-incompatible"


def _repo(tmp_path: Path) -> Path:
    """The example catalog committed twice (the second commit empty): HEAD~1 is the base."""
    repo = init(tmp_path / "repo")
    shutil.copytree(EXAMPLE, repo / "catalog")
    commit(repo, "base")
    commit(repo, "second")
    return repo / "catalog"


def _edit_avro(cat: Path, subject: str, change: Any) -> Path:
    path = cat / "schemas" / f"{subject}.avsc"
    doc = json.loads(path.read_text("utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, indent=2) + "\n", "utf-8")
    return path


def _mine(cat: Path, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    base = () if "--base" in extra else ("--base", "HEAD~1")
    result = kgov("lint", str(cat), *base, "--format", "json", *extra)
    assert result.code in (0, 1), result.output
    doc = json.loads(result.stdout)
    return result.code, [d for d in doc["diagnostics"] if d["rule"] == RULE]


def _add_field(doc: dict[str, Any], field: dict[str, Any]) -> None:
    doc["fields"].append(field)


def test_a_compatible_change_passes(tmp_path: Path) -> None:
    cat = _repo(tmp_path)
    note = {"name": "note", "type": "string", "default": ""}
    _edit_avro(cat, "orders.created-value", lambda d: _add_field(d, note))
    code, found = _mine(cat)
    assert (code, found) == (0, [])


def test_an_incompatible_change_fails_with_each_breaking_change(tmp_path: Path) -> None:
    cat = _repo(tmp_path)

    def break_it(doc: dict[str, Any]) -> None:
        doc["fields"].append({"name": "coupon", "type": "string"})  # no default
        doc["fields"][0]["type"] = "long"  # order_id: string -> long

    path = _edit_avro(cat, "orders.created-value", break_it)
    code, found = _mine(cat)
    assert code == 1
    (diag,) = found
    assert diag["file"] == str(path) and diag["severity"] == "error"
    message = diag["message"]
    assert message.startswith(
        "schema orders.created-value is not BACKWARD compatible with its version at HEAD~1 ("
    )
    assert "2 breaking changes" in message
    assert "OrderCreated.order_id: old's string cannot be read as new's long (new reads old data" in message
    assert "OrderCreated.coupon: field of new has no default and is missing in old" in message
    lines = path.read_text("utf-8").splitlines()
    assert '"name": "order_id"' in lines[diag["line"] - 1]  # the first breaking change's field
    assert lines[diag["line"] - 1].index('"name"') + 1 == diag["column"]


def test_the_subjects_own_level_decides(tmp_path: Path) -> None:
    """Removing a field without a default: BACKWARD (orders.created-value, the policy default)
    allows it; FULL (orders.state-value, set on the topic) does not (old readers need it)."""
    cat = _repo(tmp_path)
    _edit_avro(cat, "orders.created-value", lambda d: d["fields"].pop(1))  # customer_id
    path = _edit_avro(cat, "orders.state-value", lambda d: d["fields"].pop(2))  # updated_at
    code, found = _mine(cat)
    assert code == 1
    assert [(d["file"], d["message"].split(":")[0]) for d in found] == [
        (
            str(path),
            "schema orders.state-value is not FULL compatible with its version at HEAD~1 ("
            + _commit(cat)[:12]
            + ")",
        )
    ]
    assert (
        "OrderState.updated_at: field of old has no default and is missing in new (old reads new data"
        in found[0]["message"]
    )


def _commit(cat: Path) -> str:
    return git(cat.parent, "rev-parse", "HEAD~1")


def test_a_new_subject_passes(tmp_path: Path) -> None:
    cat = _repo(tmp_path)
    (cat / "schemas" / "orders.archived-value.avsc").write_text(
        '{"type": "record", "name": "Archived", "fields": [{"name": "id", "type": "long"}]}\n', "utf-8"
    )
    topics = cat / "topics" / "orders.yaml"
    topics.write_text(
        topics.read_text("utf-8")
        + "  - name: orders.archived\n    description: An order was archived.\n    partitions: 3\n"
        "    replication_factor: 3\n    config: {min.insync.replicas: 2}\n"
        "    value_schema: orders.archived-value\n",
        "utf-8",
    )
    code, found = _mine(cat)
    assert (code, found) == (0, [])


def test_a_referenced_schemas_change_is_checked_in_the_schemas_using_it(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    shutil.copytree(EXAMPLE, repo / "catalog")
    cat = repo / "catalog"
    customer = {
        "type": "record",
        "name": "Customer",
        "namespace": "shop",
        "fields": [{"name": "cid", "type": "long"}],
    }
    (cat / "schemas" / "shop.customer.avsc").write_text(json.dumps(customer), "utf-8")
    _edit_avro(
        cat, "orders.created-value", lambda d: d["fields"].append({"name": "who", "type": "shop.Customer"})
    )
    commit(repo, "base")
    customer["fields"] = [{"name": "cid", "type": "string"}]  # long -> string: no reader can promote it
    (cat / "schemas" / "shop.customer.avsc").write_text(json.dumps(customer), "utf-8")
    code, found = _mine(cat, "--base", "HEAD")
    assert code == 1
    assert sorted((Path(d["file"]).name, d["message"].split(" is not ")[0]) for d in found) == [
        ("orders.created-value.avsc", "schema orders.created-value"),  # unchanged file, changed meaning
        ("shop.customer.avsc", "schema shop.customer"),
    ]
    assert all("cid: old's long cannot be read as new's string" in d["message"] for d in found)


def test_a_catalog_absent_at_the_base_is_all_new(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    (repo / "README.md").write_text("no catalog yet\n", "utf-8")
    commit(repo, "before the catalog")
    shutil.copytree(EXAMPLE, repo / "catalog")
    commit(repo, "the catalog")
    code, found = _mine(repo / "catalog")
    assert (code, found) == (0, [])


def test_level_none_and_a_rule_turned_off_are_silent(tmp_path: Path) -> None:
    cat = _repo(tmp_path)
    _edit_avro(cat, "orders.created-value", lambda d: d["fields"].pop(0))  # breaks nothing at BACKWARD
    _edit_avro(cat, "orders.state-value", lambda d: d["fields"].pop(2))  # breaks FULL
    topics = cat / "topics" / "orders.yaml"
    text = topics.read_text("utf-8")
    topics.write_text(text.replace("compatibility: FULL", "compatibility: NONE"), "utf-8")
    assert _mine(cat) == (0, [])
    topics.write_text(text, "utf-8")
    assert _mine(cat)[0] == 1
    settings = cat / "kgov.yaml"
    body = settings.read_text("utf-8")
    assert "policy:\n" in body
    settings.write_text(body.replace("policy:\n", f"policy:\n  rules:\n    {RULE}: off\n", 1), "utf-8")
    assert _mine(cat) == (0, [])


def test_a_type_change_is_reported(tmp_path: Path) -> None:
    cat = _repo(tmp_path)
    (cat / "schemas" / "orders.created-value.avsc").unlink()
    (cat / "schemas" / "orders.created-value.json").write_text(
        '{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {}}\n',
        "utf-8",
    )
    code, found = _mine(cat)
    assert code == 1
    assert [d["message"].split(": ", 1)[1] for d in found] == [
        "Avro → JSON Schema; a registry refuses a version of another type at BACKWARD"
    ]


def test_without_base_nothing_is_read_from_git(tmp_path: Path) -> None:
    cat = _repo(tmp_path)
    _edit_avro(cat, "orders.created-value", lambda d: d["fields"].append({"name": "x", "type": "int"}))
    result = kgov("lint", str(cat), "--format", "json")
    assert result.code == 0, result.output
    assert not [d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == RULE]


def test_shallow_clone_error(tmp_path: Path) -> None:
    cat = _repo(tmp_path)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{cat.parent}", str(clone))
    result = kgov("lint", str(clone / "catalog"), "--base", "HEAD~1")
    assert result.code == 1
    assert "this clone is shallow (depth 1); fetch the base: git fetch --depth=2 origin" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_ref_is_an_error(tmp_path: Path) -> None:
    cat = _repo(tmp_path)
    result = kgov("lint", str(cat), "--base", "no-such-branch")
    assert result.code == 1
    assert "unknown git ref 'no-such-branch'" in result.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_every_format_carries_the_diagnostic(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # files are shown relative to the working directory
    cat = _repo(tmp_path)
    path = _edit_avro(cat, "orders.created-value", lambda d: d["fields"].append({"name": "x", "type": "int"}))
    result = kgov("lint", str(cat), "--base", "HEAD~1", "--format", fmt)
    assert result.code == 1, result.output
    rel = path.relative_to(tmp_path).as_posix()
    if fmt == "json":
        (diag,) = [d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == RULE]
        assert diag["file"].endswith(rel) and "OrderCreated.x: field of new has no default" in diag["message"]
    elif fmt == "sarif":
        run = json.loads(result.stdout)["runs"][0]
        (hit,) = [r for r in run["results"] if r["ruleId"] == RULE]
        assert run["tool"]["driver"]["rules"][hit["ruleIndex"]]["id"] == RULE
        where = hit["locations"][0]["physicalLocation"]
        assert where["artifactLocation"]["uri"] == rel and where["region"]["startLine"] > 1
        assert "OrderCreated.x: field of new has no default" in hit["message"]["text"]
    elif fmt == "github":
        line = next(x for x in result.stdout.splitlines() if f"title={RULE}" in x)
        assert line.startswith(f"::error file={rel},line=") and "OrderCreated.x%3A" not in line
        assert "OrderCreated.x: field of new has no default" in line
    else:
        text = " ".join(result.stdout.split())
        assert RULE in text and rel in text and "OrderCreated.x: field of new has no default" in text


def test_references_carry_a_change_to_the_schemas_that_use_it() -> None:
    def files(**texts: str) -> dict[str, SchemaFile]:
        return {s: SchemaFile(s, "avro", f"{s}.avsc", t) for s, t in texts.items()}

    refs = {"a": (Ref("B", "b"),), "b": (Ref("C", "c"),), "d": ()}
    new = files(a="1", b="1", c="2", d="1", e="1")
    old = files(a="1", b="1", c="1", d="1")
    assert changed_subjects(new, old, refs) == ["a", "b", "c"]  # e is new, d unrelated


def test_locate_finds_the_field_or_its_parent() -> None:
    avro = (
        '{\n  "name": "R",\n  "fields": [\n    {"name": "a", "type": {"type": "record", "name": "S",\n'
        '      "fields": [{"name": "b", "type": "int"}]}}\n  ]\n}\n'
    )
    assert str(locate("f", avro, "R.a.b", "avro")) == "f:5:19"
    assert str(locate("f", avro, "R.a.gone", "avro")) == "f:4:6"
    assert str(locate("f", avro, "Nothing", "avro")) == "f:1:1"
    doc = '{\n  "properties": {\n    "email": {"type": "string"}\n  }\n}\n'
    assert str(locate("g", doc, "$.email", "json")) == "g:3:5"
