"""The topic diff as data: each case in topic_cases.yaml is a catalog (written as real files and read
by the real loader, so units and environment overrides go through it), a cluster (the in-memory
twin), and the plan entries and warnings expected. Every plan is also rendered as text and Markdown
and validated against the shipped plan JSON Schema.

Case format (compact on purpose; see the file's header for the full list of keys):
  catalog.topics.<service>: topics as in topics/<service>.yaml; `[name, partitions, rf, {config}]`
    is short for a mapping, `{generate: N, name: "svc.t{i:03d}", ...}` expands to N topics
  cluster: topics as `[name, partitions, rf, {config}]` or the same `generate` form
  expect.entries[].changes: `[field, before, after]` or `[field, before, after, {detail, default,
    blocked}]`; `blocked` and `default` are always compared (false / null when not written),
    `detail` only when written
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from rich.console import Console

from kgov.catalog.load import load_catalog
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.diagnostics import Severity
from kgov.engine.make import make_plan
from kgov.errors import KgovError
from kgov.kinds import KINDS
from kgov.kinds.base import Backends
from kgov.plan.model import EVIDENCE, Plan
from kgov.plan.planfile import schema
from kgov.render import plan_markdown, plan_text
from kgov.render.escape import md_code

CASES_FILE = Path(__file__).with_name("topic_cases.yaml")
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text("utf-8"))["cases"]
VALIDATOR = Draft202012Validator(schema())
CASE_KEYS = {"id", "catalog", "cluster", "listing_errors", "env", "allow_delete", "expect", "xfail_reason"}
EXPECT_KEYS = {"entries", "warnings", "error", "configs_read", "requests", "managed", "scope"}
ENTRY_KEYS = {"address", "action", "changes", "before", "after", "reason", "hint", "notes"}


class RecordingCluster(MemoryCluster):
    """The in-memory twin, remembering which topics' configs the plan asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.configs_read: list[str] = []

    def topic_configs(self, names: Any) -> Any:
        self.configs_read.extend(names)
        return super().topic_configs(names)


def _expand(items: list[Any]) -> list[dict[str, Any]]:
    """Compact topic forms to mappings: `[name, partitions, rf, {config}]` and `{generate: N, ...}`."""
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, list):
            name, partitions, rf, *rest = item
            topic: dict[str, Any] = {"name": name, "partitions": partitions, "replication_factor": rf}
            if rest:
                topic["config"] = rest[0]
            out.append(topic)
        elif "generate" in item:
            body = {k: v for k, v in item.items() if k != "generate"}
            out += [{**body, "name": body["name"].format(i=i)} for i in range(item["generate"])]
        else:
            out.append(item)
    return out


def write_catalog(root: Path, spec: dict[str, Any]) -> None:
    env: dict[str, Any] = {"kafka": {"bootstrap_servers": "127.0.0.1:1"}}
    if "overrides" in spec:
        env["overrides"] = spec["overrides"]
    envs = {"test": env, **spec.get("environments", {})}
    settings: dict[str, Any] = {"version": 1, "environments": envs}
    if "ownership" in spec:
        settings["ownership"] = spec["ownership"]
    root.mkdir()
    (root / "kgov.yaml").write_text(yaml.safe_dump(settings), "utf-8")
    for folder, files in (("topics", spec.get("topics", {})), ("acls", spec.get("acls", {}))):
        for service, body in files.items():
            doc = (
                {"service": service, "owner": f"team-{service}", "topics": _expand(body)}
                if folder == "topics"
                else {"service": service, **body}
            )
            (root / folder).mkdir(exist_ok=True)
            (root / folder / f"{service}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")


def build_cluster(case: dict[str, Any]) -> RecordingCluster:
    cluster = RecordingCluster()
    for t in _expand(case.get("cluster", [])):
        cluster.add_topic(t["name"], t["partitions"], t["replication_factor"], **t.get("config", {}))
    cluster.listing_errors.update(case.get("listing_errors", {}))
    return cluster


def run_case(case: dict[str, Any], tmp_path: Path) -> tuple[Plan, RecordingCluster]:
    root = tmp_path / "catalog"
    write_catalog(root, case.get("catalog", {}))
    loaded = load_catalog(root)
    errors = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
    assert errors == [], "the case's catalog does not load"
    cluster = build_cluster(case)
    cluster.requests.clear()
    env = case.get("env", "test")
    allow_delete = bool(case.get("allow_delete", False))
    # the topic kind alone: its requests and entries, whatever other kinds the registry holds
    topics_only = [k for k in KINDS if k.name == "topic"]
    return make_plan(
        loaded.catalog, env, Backends(kafka=cluster), allow_delete=allow_delete, kinds=topics_only
    ), cluster


def check_change(got: dict[str, Any], want: list[Any], where: str) -> None:
    field, before, after, *rest = want
    extra: dict[str, Any] = rest[0] if rest else {}
    assert set(extra) <= {"detail", "default", "blocked"}, f"{where}: unknown change keys"
    assert (got["field"], got["before"], got["after"]) == (field, before, after), where
    assert got["blocked"] is extra.get("blocked", False), f"{where}: blocked"
    assert got["default"] == extra.get("default"), f"{where}: default"
    if "detail" in extra:
        assert got["detail"] == extra["detail"], f"{where}: detail"


def contains_all(text: str | None, parts: str | list[str]) -> bool:
    return text is not None and all(p in text for p in ([parts] if isinstance(parts, str) else parts))


def check_entry(got: dict[str, Any], want: dict[str, Any]) -> None:
    where = want["address"]
    assert set(want) <= ENTRY_KEYS, f"{where}: unknown keys {set(want) - ENTRY_KEYS}"
    assert got["kind"] == "topic" and got["address"] == f"topic.{got['name']}", where
    assert (got["address"], got["action"]) == (want["address"], want["action"])
    changes = want.get("changes", [])
    assert len(got["changes"]) == len(changes), f"{where}: changes {got['changes']}"
    for i, (g, w) in enumerate(zip(got["changes"], changes, strict=True)):
        check_change(g, w, f"{where} change {i}")
    for key in ("before", "after"):
        if key in want:
            assert got[key] == want[key], f"{where}: {key}"
    for key in ("reason", "hint"):
        if key in want:
            assert contains_all(got[key], want[key]), f"{where}: {key} {got[key]!r}"
        elif got["action"] != "blocked":
            assert got[key] is None, f"{where}: {key}"
    if got["action"] == "blocked":
        assert "reason" in want and "hint" in want, f"{where}: name the reason and hint of a blocked entry"
    notes = want.get("notes", [])
    # a delete's evidence (tests/unit/kinds/test_delete_evidence.py) and the storage note of every
    # created or grown topic (tests/unit/kinds/test_topic_capacity.py) are not what these cases check
    said = [n for n in got["notes"] if not n.startswith((EVIDENCE, "storage at retention"))]
    assert len(said) == len(notes), f"{where}: notes {got['notes']}"
    assert all(w in g for g, w in zip(said, notes, strict=True)), f"{where}: notes"


def check_rendered(doc: dict[str, Any]) -> None:
    """Text and Markdown are drawn from the JSON, and every entry's name shows in both."""
    out = io.StringIO()
    plan_text.render(doc, Console(file=out, width=200, color_system=None, highlight=False))
    text = out.getvalue()
    markdown = plan_markdown.render(doc)
    for entry in doc["resource_changes"]:
        assert entry["name"] in text, f"text rendering lacks {entry['name']}"
        # Markdown escapes punctuation: the name shows as inline code, as a reader sees it
        assert md_code(entry["name"]) in markdown, f"Markdown rendering lacks {entry['name']}"
    for warning in doc["warnings"]:
        assert warning in text, "text rendering lacks a warning"
    if not doc["resource_changes"]:
        assert "No changes" in text and "No changes" in markdown


def _param(case: dict[str, Any]) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case["xfail_reason"])] if "xfail_reason" in case else []
    return pytest.param(case, id=case["id"], marks=marks)


def test_the_cases_file_is_well_formed() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "case ids are unique"
    assert len(CASES) >= 45
    for case in CASES:
        assert set(case) <= CASE_KEYS, f"{case['id']}: unknown keys {set(case) - CASE_KEYS}"
        expect = case["expect"]
        assert set(expect) <= EXPECT_KEYS, f"{case['id']}: unknown expect keys"
        # a case can fail: it names entries, warnings or an error (an empty list is "no changes")
        assert "error" in expect or ("entries" in expect and "warnings" in expect), case["id"]


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_topic_case(case: dict[str, Any], tmp_path: Path) -> None:
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(KgovError) as caught:
            run_case(case, tmp_path)
        assert contains_all(caught.value.message, expect["error"]), caught.value.message
        return
    plan, cluster = run_case(case, tmp_path)
    doc = plan.to_json()
    VALIDATOR.validate(doc)
    got = doc["resource_changes"]
    assert [e["address"] for e in got] == [e["address"] for e in expect["entries"]]
    for g, w in zip(got, expect["entries"], strict=True):
        check_entry(g, w)
    warnings = expect["warnings"]
    assert len(doc["warnings"]) == len(warnings), doc["warnings"]
    for g, w in zip(doc["warnings"], warnings, strict=True):
        assert contains_all(g, w), g
    if "configs_read" in expect:
        assert sorted(cluster.configs_read) == sorted(expect["configs_read"])
    if "requests" in expect:
        assert cluster.requests == expect["requests"]
    if "scope" in expect:
        assert doc["scope"]["topic"] == expect["scope"]
    if "managed" in expect:
        assert doc["summary"]["topic"]["managed"] == expect["managed"]
    assert doc["totals"] == {a: sum(e["action"] == a for e in got) for a in doc["totals"]}
    check_rendered(doc)
