"""`kgov import` of principals on the real broker: bindings and a SCRAM user made out of band become
acls/<service>.yaml files, and the next plan shows no change for topics and access alike."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from confluent_kafka.admin import NewTopic

from kgov.bindings import Binding
from kgov.cluster.kafka.access_port import ScramCredential, ScramDelete, ScramUpsert
from tests.integration.access_support import admin_cluster, bindings_of, scram_of, topics_listed
from tests.integration.kgovtest import admin, kgov, unique_service, write_catalog


def test_import_then_plan_shows_no_change_for_topics_and_access(tmp_path: Path) -> None:
    svc = unique_service()
    app, user = f"User:{svc}-app", f"{svc}-app"
    topics = {f"{svc}.in", f"{svc}.out"}
    for future in admin().create_topics([NewTopic(t, 1, 1) for t in sorted(topics)]).values():
        future.result()
    grants = {
        *(Binding(app, "topic", "literal", f"{svc}.out", op) for op in ("WRITE", "DESCRIBE")),  # produces
        *(Binding(app, "topic", "literal", f"{svc}.in", op) for op in ("READ", "DESCRIBE")),  # consumes
        Binding(app, "group", "literal", f"{svc}-app", "READ"),  # consumer_groups
        *(Binding(app, "transactional_id", "prefixed", f"{svc}-", op) for op in ("WRITE", "DESCRIBE")),
        Binding(app, "topic", "literal", f"{svc}.in", "DESCRIBE_CONFIGS"),  # no shorthand says it
        Binding(app, "topic", "literal", f"{svc}.elsewhere", "READ"),  # READ alone: no shorthand
        Binding(app, "topic", "prefixed", f"{svc}.", "DELETE", "deny", "10.0.0.9"),  # a deny
    }
    boss = admin_cluster()
    assert topics_listed(boss, topics)
    assert set(boss.create_acls(sorted(grants)).values()) == {None}
    assert boss.alter_scram([ScramUpsert(user, "SCRAM-SHA-256", 8192, "pw-" + svc)], []) == {user: None}
    try:
        assert bindings_of(boss, svc, grants) == grants
        assert scram_of(boss, user, [ScramCredential(user, "SCRAM-SHA-256", 8192)])
        catalog = write_catalog(tmp_path / "catalog", {})
        result = kgov("import", "--env", "local", "--catalog", str(catalog), "--out", str(catalog))
        assert result.code == 0, result.output
        mine = {catalog / "topics" / f"{svc}.yaml", catalog / "acls" / f"{svc}-app.yaml"}
        assert all(p.exists() for p in mine), result.output
        for other in [*(catalog / "topics").glob("*.yaml"), *(catalog / "acls").glob("*.yaml")]:
            if other not in mine:  # the shared sandbox holds other tests' topics and principals too
                other.unlink()
        doc = yaml.safe_load((catalog / "acls" / f"{svc}-app.yaml").read_text())
        assert doc["principal"] == app
        assert doc["authentication"]["scram"] == {
            "mechanism": "SCRAM-SHA-256",
            "password": "${env:" + f"{svc}_APP_PASSWORD".upper() + "}",
            "iterations": 8192,
        }
        assert (doc["produces"], doc["consumes"]) == ([f"{svc}.out"], [f"{svc}.in"])
        assert (doc["consumer_groups"], doc["transactional_ids"]) == ([f"{svc}-app"], [f"{svc}-"])
        assert sorted((a["name"], a["operations"], a["permission"]) for a in doc["acls"]) == [
            (f"{svc}.", ["delete"], "deny"),
            (f"{svc}.elsewhere", ["read"], "allow"),
            (f"{svc}.in", ["describe_configs"], "allow"),
        ]
        args = ("plan", "--env", "local", "-c", str(catalog), "--format", "json", "--detailed-exitcode")
        plan = kgov(*args)
        assert plan.code == 0, plan.output
        body = json.loads(plan.stdout)
        assert body["resource_changes"] == []
        assert {"topic", "acl", "user"} <= set(body["summary"]), body["summary"]
        assert (body["summary"]["acl"]["managed"], body["summary"]["user"]["managed"]) == (len(grants), 1)
        # the principal is managed now: a line removed from its file is a revocation
        (catalog / "acls" / f"{svc}-app.yaml").write_text(
            (catalog / "acls" / f"{svc}-app.yaml").read_text().replace(f"consumes:\n- {svc}.in\n", "")
        )
        revoke = kgov(*args)
        assert revoke.code == 2, revoke.output
        changes = json.loads(revoke.stdout)["resource_changes"]
        assert {(c["action"], c["before"]["name"], c["before"]["operation"]) for c in changes} == {
            ("delete", f"{svc}.in", "READ"),
            ("delete", f"{svc}.in", "DESCRIBE"),
        }
    finally:
        boss.delete_acls(sorted(grants))
        boss.alter_scram([], [ScramDelete(user, "SCRAM-SHA-256")])
