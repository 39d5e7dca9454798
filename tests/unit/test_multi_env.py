"""Several environments in one plan (issue 23 part 1), on the in-memory twin: the combined exit
code, a failing environment that hides nothing, the saved file applied one part at a time (each
part stale on its own) or all in order, and the multi-environment document against its schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kgov.catalog.model import Catalog
from kgov.cli.many import apply_command, plan_command
from kgov.cluster.memory.kafka import MemoryCluster
from kgov.commands.apply import run_apply, run_apply_all
from kgov.commands.plan_many import MAX_CONCURRENT, run_plans
from kgov.errors import ClusterError, KgovError, PlanError, UsageError, combined_exit
from kgov.kinds.base import Backends
from kgov.render.formats import PLAN, PLANS
from tests.support import SETTINGS, topic_doc, write_catalog

ENVS = ("dev", "staging", "prod")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "KGOV_BOOTSTRAP_SASL": "127.0.0.1:1",
        "KGOV_USERNAME": "admin",
        "KGOV_PASSWORD": "hunter2-very-secret",
    }.items():
        monkeypatch.setenv(name, value)


def _catalog(root: Path, topics: list[dict[str, Any]]) -> Path:
    one = SETTINGS["environments"]["local"]
    return write_catalog(root, {"svc": topics}, environments={e: one for e in ENVS})


def _connector(clusters: dict[str, MemoryCluster], failing: tuple[str, ...] = ()) -> Callable[..., Backends]:
    def connect(_catalog: Catalog, env: str) -> Backends:
        if env in failing:
            raise ClusterError(f"cannot connect to the cluster of {env} (127.0.0.1:1)")
        return Backends(kafka=clusters[env])

    return connect


def test_combined_exit_code() -> None:
    assert combined_exit([0, 0]) == 0
    assert combined_exit([0, 2]) == 2
    assert combined_exit([2, 1, 0]) == 1
    assert combined_exit([2, 64]) == 1  # anything but ok or changes is a failure


def test_plans_several_environments_in_one_report(tmp_path: Path, env: None, capsys: Any) -> None:
    catalog = _catalog(tmp_path / "c", [topic_doc("svc.a", 2)])
    clusters = {e: MemoryCluster(brokers=1) for e in ENVS}
    clusters["dev"].add_topic("svc.a", 2, 1)  # dev already matches
    code = run_plans(
        catalog, ("dev", "prod"), fmt="json", detailed_exitcode=True, connector=_connector(clusters)
    )
    assert code == 2  # prod has changes
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "kgov-multi-plan" and doc["environments"] == ["dev", "prod"]
    assert [p["plan"]["environment"] for p in doc["plans"]] == ["dev", "prod"]
    assert doc["plans"][0]["plan"]["resource_changes"] == []
    assert doc["summary"]["with_changes"] == ["prod"] and doc["summary"]["totals"]["create"] == 1
    _validator().validate(doc)
    assert "hunter2" not in json.dumps(doc)


def test_one_failing_environment_hides_no_other_and_fails_the_run(
    tmp_path: Path, env: None, capsys: Any
) -> None:
    catalog = _catalog(tmp_path / "c", [topic_doc("svc.a")])
    clusters = {e: MemoryCluster(brokers=1) for e in ENVS}
    connector = _connector(clusters, failing=("staging",))
    assert run_plans(catalog, None, connector=connector) == 1  # every environment of kgov.yaml
    text = capsys.readouterr().out
    assert text.index("'dev'") < text.index("'staging'") < text.index("'prod'")
    assert "Planning failed: cannot connect to the cluster of staging" in text
    assert text.count("+ topic svc.a") == 2  # dev's and prod's plans are both shown
    assert "1 failed (staging)" in text
    assert run_plans(catalog, None, fmt="markdown", connector=connector) == 1
    markdown = capsys.readouterr().out
    assert markdown.startswith("## kgov plan: 3 environments") and markdown.count("\n## ") == 0
    assert "| <code>staging</code> | ⛔ failed |" in markdown and "planning failed" in markdown


def test_long_sections_are_folded_in_markdown(tmp_path: Path, env: None, capsys: Any) -> None:
    catalog = _catalog(tmp_path / "c", [topic_doc(f"svc.t{i}") for i in range(12)])
    clusters = {e: MemoryCluster(brokers=1) for e in ENVS}
    for i in range(12):
        clusters["dev"].add_topic(f"svc.t{i}", 1, 1)
    run_plans(catalog, ("dev", "prod"), fmt="markdown", connector=_connector(clusters))
    markdown = capsys.readouterr().out
    assert "<details><summary><code>prod</code>: Plan: 12 to create" in markdown
    assert "<details><summary><code>dev</code>" not in markdown  # a short section stays open


def test_reads_run_concurrently_and_bounded(tmp_path: Path, env: None) -> None:
    import threading
    import time
    from collections.abc import Mapping, Sequence

    names = tuple(f"e{i}" for i in range(6))
    one = SETTINGS["environments"]["local"]
    environments = {e: one for e in names}
    catalog = write_catalog(tmp_path / "c", {"svc": [topic_doc("svc.a")]}, environments=environments)
    lock, running, peak = threading.Lock(), [0], [0]

    class SlowCluster(MemoryCluster):
        def topic_configs(self, topics: Sequence[str]) -> Mapping[str, Mapping[str, str]]:
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            time.sleep(0.2)
            with lock:
                running[0] -= 1
            return super().topic_configs(topics)

    def connect(_catalog: Catalog, _env: str) -> Backends:
        cluster = SlowCluster(brokers=1)
        cluster.add_topic("svc.a", 1, 1)
        return Backends(kafka=cluster)

    assert run_plans(catalog, None, fmt="json", connector=connect) == 0
    assert 1 < peak[0] <= MAX_CONCURRENT


def test_usage(tmp_path: Path, env: None) -> None:
    catalog = _catalog(tmp_path / "c", [topic_doc("svc.a")])
    with pytest.raises(UsageError):
        plan_command(catalog, (), False)
    with pytest.raises(UsageError):
        plan_command(catalog, ("dev",), True)
    with pytest.raises(UsageError):
        run_plans(catalog, ("dev", "prod"), snapshot=tmp_path / "s.json")
    with pytest.raises(KgovError, match="unknown environment"):
        run_plans(catalog, ("dev", "nope"), connector=_connector({}))
    with pytest.raises(UsageError):
        apply_command(catalog, None, False, None)
    with pytest.raises(UsageError):
        apply_command(catalog, None, True, None)


def _saved(tmp_path: Path, clusters: dict[str, MemoryCluster]) -> tuple[Path, Path]:
    catalog = _catalog(tmp_path / "c", [topic_doc("svc.a")])
    plans = tmp_path / "plans.json"
    assert run_plans(catalog, ENVS, out=plans, fmt="json", connector=_connector(clusters)) == 0
    return catalog, plans


def test_a_saved_part_applies_alone_and_a_stale_part_refuses_only_its_environment(
    tmp_path: Path, env: None
) -> None:
    clusters = {e: MemoryCluster(brokers=1) for e in ENVS}
    catalog, plans = _saved(tmp_path, clusters)
    clusters["staging"].add_topic("svc.a", 3, 1)  # staging moved since the plan
    with pytest.raises(PlanError, match="stale plan") as stale:
        run_apply(catalog, "staging", plan_file=plans, backends=Backends(kafka=clusters["staging"]))
    assert stale.value.hint == f"make a new plan: kgov plan --env dev --env staging --env prod --out {plans}"
    assert run_apply(catalog, "prod", plan_file=plans, backends=Backends(kafka=clusters["prod"])) == 0
    assert set(clusters["prod"].topics) == {"svc.a"} and clusters["dev"].topics == {}
    with pytest.raises(PlanError, match="not 'qa'"):
        run_apply(catalog, "qa", plan_file=plans, backends=Backends(kafka=clusters["dev"]))


def test_an_edited_part_is_refused(tmp_path: Path, env: None) -> None:
    clusters = {e: MemoryCluster(brokers=1) for e in ENVS}
    catalog, plans = _saved(tmp_path, clusters)
    doc = json.loads(plans.read_text())
    doc["plans"][1]["plan"]["resource_changes"][0]["after"]["partitions"] = 9
    plans.write_text(json.dumps(doc))
    with pytest.raises(PlanError, match="edited"):
        run_apply(catalog, "staging", plan_file=plans, backends=Backends(kafka=clusters["staging"]))
    assert run_apply(catalog, "dev", plan_file=plans, backends=Backends(kafka=clusters["dev"])) == 0


def test_all_environments_apply_in_order_and_stop_at_the_first_failure(
    tmp_path: Path, env: None, capsys: Any
) -> None:
    clusters = {e: MemoryCluster(brokers=1) for e in ENVS}
    catalog, plans = _saved(tmp_path, clusters)
    clusters["staging"].add_topic("svc.a", 3, 1)  # stale
    with pytest.raises(PlanError) as caught:
        run_apply_all(catalog, plans, backends={e: Backends(kafka=c) for e, c in clusters.items()})
    message = caught.value.message
    assert "environment 'staging': stale plan" in message
    assert "Applied before it: dev; not attempted: prod." in message
    assert set(clusters["dev"].topics) == {"svc.a"} and clusters["prod"].topics == {}
    err = capsys.readouterr().err
    assert err.index("'dev' (1 of 3)") < err.index("'staging' (2 of 3)")


def test_all_environments_applies_every_part(tmp_path: Path, env: None) -> None:
    clusters = {e: MemoryCluster(brokers=1) for e in ENVS}
    catalog, plans = _saved(tmp_path, clusters)
    backends = {e: Backends(kafka=c) for e, c in clusters.items()}
    assert run_apply_all(catalog, plans, backends=backends) == 0
    assert all(set(c.topics) == {"svc.a"} for c in clusters.values())


def test_a_part_that_failed_at_plan_time_is_refused(tmp_path: Path, env: None) -> None:
    catalog = _catalog(tmp_path / "c", [topic_doc("svc.a")])
    clusters = {e: MemoryCluster(brokers=1) for e in ENVS}
    plans = tmp_path / "plans.json"
    connector = _connector(clusters, failing=("dev",))
    assert run_plans(catalog, ENVS, out=plans, connector=connector) == 1
    with pytest.raises(PlanError, match="planning it failed"):
        run_apply(catalog, "dev", plan_file=plans, backends=Backends(kafka=clusters["dev"]))
    with pytest.raises(PlanError, match="No environment was applied before it; not attempted: staging, prod"):
        run_apply_all(catalog, plans, backends={e: Backends(kafka=c) for e, c in clusters.items()})


def test_a_single_environment_plan_file_is_unchanged(tmp_path: Path, env: None) -> None:
    catalog = _catalog(tmp_path / "c", [topic_doc("svc.a")])
    cluster = MemoryCluster(brokers=1)
    plan_file = tmp_path / "plan.json"
    assert plan_command(catalog, ("dev",), False, out=plan_file, backends=Backends(kafka=cluster)) == 0
    doc = json.loads(plan_file.read_text())
    assert doc["format_version"] == 2 and "format" not in doc and doc["environment"] == "dev"
    assert run_apply_all(catalog, plan_file, backends={"dev": Backends(kafka=cluster)}) == 0
    assert set(cluster.topics) == {"svc.a"}


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["plans"].append(d["plans"][0]),  # an environment twice
        lambda d: d.update(environments=["prod", "dev", "staging"]),
        lambda d: d["plans"][0].update(plan=None),  # no plan, no error
        lambda d: d["plans"][0]["plan"].update(environment="prod"),
        lambda d: d.update(format_version=2),
        lambda d: d["plans"][0]["plan"]["resource_changes"][0].update(action="explode"),
        lambda d: d.update(format_version=True),
        lambda d: d.update(plans={"dev": None}),
        lambda d: d["plans"][0].update(plan=5),
        lambda d: d["plans"][0].update(error={"message": "x", "hint": None}),  # a plan and an error
        lambda d: d["plans"][1].update(plan=None, error={"message": "x", "hint": None, "more": 1}),
        lambda d: d.update(created_at=["x"]),
    ],
)
def test_a_malformed_document_is_refused(tmp_path: Path, env: None, edit: Callable[[Any], None]) -> None:
    clusters = {e: MemoryCluster(brokers=1) for e in ENVS}
    catalog, plans = _saved(tmp_path, clusters)
    doc = json.loads(plans.read_text())
    edit(doc)
    plans.write_text(json.dumps(doc))
    with pytest.raises(PlanError, match="plan"):
        run_apply(catalog, "dev", plan_file=plans, backends=Backends(kafka=clusters["dev"]))
    assert clusters["dev"].topics == {}


def test_the_formats_match_the_single_plans() -> None:
    assert PLANS.names == PLAN.names  # the command line offers PLAN's names for both


def _validator() -> Any:
    """A validator of multi-plan.schema.json that resolves its reference to plan.schema.json."""
    from importlib import resources

    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    def schema(name: str) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(resources.files("kgov.plan").joinpath(name).read_text("utf-8"))
        return loaded

    multi_schema, plan_schema = schema("multi-plan.schema.json"), schema("plan.schema.json")
    Draft202012Validator.check_schema(multi_schema)
    registry = Registry().with_resource(plan_schema["$id"], Resource.from_contents(plan_schema))
    return Draft202012Validator(multi_schema, registry=registry)


def test_a_scoped_plan_spans_environments(tmp_path: Path, env: None, capsys: Any) -> None:
    from tests.gitrepo import commit, init

    repo = init(tmp_path / "repo")
    catalog = _catalog(repo / "catalog", [topic_doc("svc.a"), topic_doc("svc.b")])
    commit(repo, "base")
    _catalog(repo / "catalog", [topic_doc("svc.a"), topic_doc("svc.b", 3), topic_doc("svc.c")])
    clusters = {e: MemoryCluster(brokers=1) for e in ENVS}
    for cluster in clusters.values():
        cluster.add_topic("svc.a", 1, 1)
        cluster.add_topic("svc.b", 1, 1)
    clusters["prod"].add_topic("svc.a", 1, 1)
    clusters["prod"].topics["svc.a"].config = {"retention.ms": "1"}  # drift outside the change
    plans = tmp_path / "plans.json"
    connector = _connector(clusters)
    assert run_plans(catalog, ("dev", "prod"), base="HEAD", out=plans, fmt="json", connector=connector) == 0
    doc = json.loads(capsys.readouterr().out)
    for part in doc["plans"]:
        assert part["plan"]["scoped"]["names"]["topic"] == ["svc.b", "svc.c"]
        assert [e["address"] for e in part["plan"]["resource_changes"]] == ["topic.svc.b", "topic.svc.c"]
    backends = {e: Backends(kafka=c) for e, c in clusters.items()}
    assert run_apply_all(catalog, plans, backends=backends) == 0  # each part re-planned with its scope
    assert clusters["prod"].topics["svc.b"].partitions == 3 and "svc.c" in clusters["dev"].topics


def test_the_same_environment_twice_is_the_single_plan(tmp_path: Path, env: None, capsys: Any) -> None:
    catalog = _catalog(tmp_path / "c", [topic_doc("svc.a")])
    cluster = MemoryCluster(brokers=1)
    assert plan_command(catalog, ("dev", "dev"), False, fmt="json", backends=Backends(kafka=cluster)) == 0
    assert json.loads(capsys.readouterr().out)["environment"] == "dev"  # a plan, not a multi document


# `apply FILE --all-environments --format json`: one `kgov-multi-apply` document for the run, also
# when an environment stops it, so a reader can parse stdout whole (docs/plan-format.md).
def test_all_environments_json_is_one_document(tmp_path: Path, env: None, capsys: Any) -> None:
    clusters = {e: MemoryCluster(brokers=1) for e in ENVS}
    catalog, plans = _saved(tmp_path, clusters)
    capsys.readouterr()
    backends = {e: Backends(kafka=c) for e, c in clusters.items()}
    assert run_apply_all(catalog, plans, backends=backends, fmt="json") == 0
    doc = json.loads(capsys.readouterr().out)  # one document, not one per environment
    assert doc["format"] == "kgov-multi-apply" and doc["format_version"] == 1
    assert doc["environments"] == doc["applied"] == list(ENVS)
    assert doc["stopped"] is None and doc["not_attempted"] == []
    assert [r["environment"] for r in doc["results"]] == list(ENVS)
    assert [x["address"] for x in doc["results"][0]["results"]] == ["topic.svc.a"]
    assert doc["summary"] == {"succeeded": 3, "failed": 0}


def test_all_environments_json_when_stopped(tmp_path: Path, env: None, capsys: Any) -> None:
    clusters = {e: MemoryCluster(brokers=1) for e in ENVS}
    catalog, plans = _saved(tmp_path, clusters)
    clusters["staging"].add_topic("svc.a", 3, 1)  # staging moved since the plan: its part is stale
    capsys.readouterr()
    with pytest.raises(PlanError, match="Applied before it: dev; not attempted: prod"):
        backends = {e: Backends(kafka=c) for e, c in clusters.items()}
        run_apply_all(catalog, plans, backends=backends, fmt="json")
    doc = json.loads(capsys.readouterr().out)
    assert doc["applied"] == ["dev"] and doc["not_attempted"] == ["prod"]
    assert doc["stopped"]["environment"] == "staging" and "stale" in doc["stopped"]["error"]["message"]
    assert [r["environment"] for r in doc["results"]] == ["dev"]
    assert doc["summary"] == {"succeeded": 1, "failed": 0}
    assert clusters["prod"].topics == {}


def test_all_environments_text_output_is_unchanged(tmp_path: Path, env: None, capsys: Any) -> None:
    clusters = {e: MemoryCluster(brokers=1) for e in ENVS}
    catalog, plans = _saved(tmp_path, clusters)
    capsys.readouterr()
    assert run_apply_all(catalog, plans, backends={e: Backends(kafka=c) for e, c in clusters.items()}) == 0
    assert capsys.readouterr().out.count("Apply complete: 1 succeeded, 0 failed.") == 3
