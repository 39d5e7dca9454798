"""The quota kind on the in-memory twin: desired from the acls files and the cluster file, the diff
(set, change, remove keys; ownership and deletes), one describe per plan and one alter per apply
whatever the number of principals, a default's reach, and the effective quota in the audit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kgov.audit.build import audit_cluster
from kgov.catalog.load import load_catalog
from kgov.catalog.model import Catalog
from kgov.cluster.kafka.quota_port import DEFAULT_PART, QuotaEntity, Quotas, named
from kgov.cluster.memory.quotas import MemoryQuotas
from kgov.engine.apply import apply_plan
from kgov.engine.make import make_plan
from kgov.errors import CatalogError, ClusterError
from kgov.kinds.base import Backends
from kgov.kinds.quotas import ClientQuotas
from kgov.kinds.quotas.desired import desired_quotas
from kgov.plan.model import Plan
from kgov.render.formats import AUDIT

REPO = Path(__file__).resolve().parents[4]
KINDS = (ClientQuotas(),)
ORDERS = QuotaEntity(named("orders"))


def _catalog(tmp_path: Path, files: dict[str, str], delete: bool = False) -> Catalog:
    root = tmp_path / "catalog"
    if not root.exists():
        shutil.copytree(REPO / "catalog", root)
        example = root / "acls" / "notifications.yaml"  # the example's one quota: these tests count theirs
        text = example.read_text()
        example.write_text(text[: text.index("\nquotas:") + 1])
    for name, text in files.items():
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text(text)
    if delete:
        kgov = root / "kgov.yaml"
        kgov.write_text(kgov.read_text().replace("  delete: false", "  delete: true"))
    loaded = load_catalog(root)
    assert [d.message for d in loaded.diagnostics if d.is_error] == []
    return loaded.catalog


def _acl(service: str, quotas: str = "", extra: str = "") -> str:
    return f"service: {service}\nprincipal: User:{service}\n{extra}" + (
        f"quotas:\n{quotas}" if quotas else ""
    )


DEFAULTS = (
    "quotas:\n  user_default: {producer_byte_rate: 10MiB/s}\n  client_id_default: {request_percentage: 25}\n"
)
ORDERS_ACL = _acl(
    "orders",
    "  producer_byte_rate: 100KiB/s\n  request_percentage: 50\n"
    "  client_ids:\n    orders-api: {consumer_byte_rate: 1MiB/s}\n",
    "consumer_groups: [orders-app]\n",
)


def _plan(cat: Catalog, port: MemoryQuotas, allow_delete: bool = False) -> Plan:
    return make_plan(cat, "local", Backends(quotas=port), allow_delete=allow_delete, kinds=KINDS)


def _addresses(plan: Plan) -> dict[str, str]:
    return {e.address: e.action for e in plan.entries}


def test_a_service_quota_is_created_applied_and_then_converged(tmp_path: Path) -> None:
    cat = _catalog(tmp_path, {"acls/orders.yaml": ORDERS_ACL})
    port = MemoryQuotas()
    plan = _plan(cat, port)
    assert _addresses(plan) == {
        "quota.user=orders": "create",
        "quota.user=orders,client-id=orders-api": "create",
    }
    entry = next(e for e in plan.entries if e.name == "user=orders")
    assert entry.after == {
        "entity": [["user", "orders"]],
        "quotas": {"producer_byte_rate": 102400, "request_percentage": 50},
    }
    assert [(c.field, c.before, c.after, c.detail) for c in entry.changes] == [
        ("producer_byte_rate", None, 102400, "set 100 KiB/s"),
        ("request_percentage", None, 50, "set 50 %"),
    ]
    assert entry.group == "User:orders"
    results = apply_plan(plan, Backends(quotas=port), KINDS)
    assert all(r.ok for r in results)
    assert port.quotas[ORDERS] == {"producer_byte_rate": 102400.0, "request_percentage": 50.0}
    assert port.quotas[QuotaEntity(named("orders"), named("orders-api"))] == {"consumer_byte_rate": 1048576.0}
    assert _plan(cat, port).entries == ()


def test_changed_and_removed_keys_are_one_update(tmp_path: Path) -> None:
    cat = _catalog(tmp_path, {"acls/orders.yaml": _acl("orders", "  producer_byte_rate: 200KiB/s\n")})
    port = MemoryQuotas({ORDERS: {"producer_byte_rate": 102400.0, "request_percentage": 50.0}})
    [entry] = _plan(cat, port).entries
    assert entry.action == "update"
    assert [(c.field, c.before, c.after) for c in entry.changes] == [
        ("producer_byte_rate", 102400, 204800),
        ("request_percentage", 50, None),
    ]
    apply_plan(_plan(cat, port), Backends(quotas=port), KINDS)
    assert port.quotas[ORDERS] == {"producer_byte_rate": 204800.0}


def test_the_cluster_file_wins_key_by_key_for_its_environment(tmp_path: Path) -> None:
    cluster = (
        "quotas:\n  users:\n    User:orders:\n      producer_byte_rate: 1MiB/s\n"
        "      client_ids: {orders-api: {producer_byte_rate: 2MiB/s}}\n"
    )
    cat = _catalog(tmp_path, {"acls/orders.yaml": ORDERS_ACL, "cluster/local.yaml": cluster})
    local = {n: dict(q.values) for n, q in desired_quotas(cat, cat.settings.environments["local"]).items()}
    assert local == {
        "user=orders": {"producer_byte_rate": 1048576.0, "request_percentage": 50.0},
        "user=orders,client-id=orders-api": {
            "consumer_byte_rate": 1048576.0,
            "producer_byte_rate": 2097152.0,
        },
    }
    prod = desired_quotas(cat, cat.settings.environments["prod"])
    assert prod["user=orders"].values == {"producer_byte_rate": 102400.0, "request_percentage": 50.0}


def test_principals_per_environment_decide_the_user(tmp_path: Path) -> None:
    acl = _acl("orders", "  producer_byte_rate: 1024\n", "principals: {prod: User:orders-prod}\n")
    cat = _catalog(tmp_path, {"acls/orders.yaml": acl})
    assert list(desired_quotas(cat, cat.settings.environments["prod"])) == ["user=orders-prod"]
    assert list(desired_quotas(cat, cat.settings.environments["local"])) == ["user=orders"]


def test_defaults_come_from_the_cluster_file(tmp_path: Path) -> None:
    cluster = DEFAULTS
    cat = _catalog(tmp_path, {"cluster/local.yaml": cluster})
    port = MemoryQuotas()
    assert _addresses(_plan(cat, port)) == {
        "quota.user=<default>": "create",
        "quota.client-id=<default>": "create",
    }
    apply_plan(_plan(cat, port), Backends(quotas=port), KINDS)
    assert port.quotas == {
        QuotaEntity(DEFAULT_PART): {"producer_byte_rate": 10485760.0},
        QuotaEntity(None, DEFAULT_PART): {"request_percentage": 25.0},
    }


def test_a_default_change_names_the_managed_principals_it_reaches(tmp_path: Path) -> None:
    cluster = "quotas:\n  user_default: {producer_byte_rate: 10MiB/s, consumer_byte_rate: 5MiB/s}\n"
    files = {"acls/orders.yaml": ORDERS_ACL, "cluster/local.yaml": cluster}
    cat = _catalog(tmp_path, files)
    port = MemoryQuotas()
    apply_plan(_plan(cat, port), Backends(quotas=port), KINDS)
    cat = _catalog(tmp_path, {"cluster/local.yaml": cluster.replace("5MiB/s", "6MiB/s")})
    plan = _plan(cat, port)
    [entry] = plan.entries
    assert entry.address == "quota.user=<default>"
    # orders sets its own producer rate; its consumer rate (but for orders-api) comes from the default,
    # as does every example service's without a quota of its own
    reached = [w for w in plan.warnings if w.startswith("quota user=<default>")]
    assert len(reached) == 1 and "User:orders" in reached[0] and "User:inventory" in reached[0]
    assert "consumer_byte_rate" in reached[0] and reached[0] in {
        f"quota user=<default>: {n}" for n in entry.notes
    }


def test_undeclared_quotas_of_managed_principals_are_drift_and_deleted_only_when_allowed(
    tmp_path: Path,
) -> None:
    stray = QuotaEntity(named("orders"), named("old-client"))
    stranger = QuotaEntity(named("someone-else"))
    port = MemoryQuotas({stray: {"producer_byte_rate": 5.0}, stranger: {"producer_byte_rate": 5.0}})
    cat = _catalog(tmp_path, {"acls/orders.yaml": ORDERS_ACL})
    plan = _plan(cat, port, allow_delete=True)
    assert "quota.user=orders,client-id=old-client" not in _addresses(plan)  # ownership.delete is false
    assert any("user=orders,client-id=old-client" in w and "ownership.delete" in w for w in plan.warnings)
    cat = _catalog(tmp_path, {}, delete=True)
    assert any("--allow-delete" in w for w in _plan(cat, port).warnings)
    plan = _plan(cat, port, allow_delete=True)
    assert _addresses(plan)["quota.user=orders,client-id=old-client"] == "delete"
    assert not any("someone-else" in e.address for e in plan.entries)  # not a managed principal
    apply_plan(plan, Backends(quotas=port), KINDS)
    assert stray not in port.quotas and stranger in port.quotas


def test_a_fixed_number_of_requests_whatever_the_number_of_principals(tmp_path: Path) -> None:
    files = {f"acls/svc{i}.yaml": _acl(f"svc{i}", "  producer_byte_rate: 1MiB/s\n") for i in range(60)}
    cat = _catalog(tmp_path, files)
    port = MemoryQuotas()
    plan = _plan(cat, port)
    # the rights read is the Kafka port's one DescribeCluster in a real run, shared with other kinds
    assert len(plan.entries) == 60 and port.requests == ["describe_client_quotas", "describe_cluster"]
    port.requests.clear()
    results = apply_plan(plan, Backends(quotas=port), KINDS)
    assert all(r.ok for r in results) and port.requests == ["alter_client_quotas"]


def test_a_plan_kgov_may_not_apply_stops_naming_the_right(tmp_path: Path) -> None:
    cat = _catalog(tmp_path, {"acls/orders.yaml": ORDERS_ACL})
    port = MemoryQuotas()
    port.rights.discard("ALTER_CONFIGS")
    with pytest.raises(ClusterError) as refused:
        _plan(cat, port)
    assert "may not ALTER_CONFIGS cluster" in refused.value.message
    assert "change client quotas" in refused.value.message


def test_a_converged_plan_asks_no_right(tmp_path: Path) -> None:
    cat = _catalog(tmp_path, {})
    port = MemoryQuotas()
    port.rights.clear()
    assert not _plan(cat, port).entries and "describe_cluster" not in port.requests


def test_kafkas_refusal_fails_only_its_entry(tmp_path: Path) -> None:
    cat = _catalog(tmp_path, {"acls/orders.yaml": ORDERS_ACL})
    port = MemoryQuotas()
    port.fail[ORDERS] = "POLICY_VIOLATION: no"
    results = {r.entry.address: r.error for r in apply_plan(_plan(cat, port), Backends(quotas=port), KINDS)}
    assert results["quota.user=orders"] == "POLICY_VIOLATION: no"
    assert results["quota.user=orders,client-id=orders-api"] is None


def test_an_unreadable_rate_stops_the_plan_with_its_position(tmp_path: Path) -> None:
    cat = _catalog(tmp_path, {"acls/orders.yaml": _acl("orders", "  producer_byte_rate: fast\n")})
    with pytest.raises(CatalogError, match=r"acls/orders\.yaml:4:\d+: cannot read the rate 'fast'"):
        _plan(cat, MemoryQuotas())


def test_the_audit_shows_the_effective_quota_per_principal_and_client_id(tmp_path: Path) -> None:
    cluster = DEFAULTS
    cat = _catalog(tmp_path, {"acls/orders.yaml": ORDERS_ACL, "cluster/local.yaml": cluster})
    port = MemoryQuotas()
    apply_plan(_plan(cat, port), Backends(quotas=port), KINDS)
    port.groups["orders-app"] = {"orders-consumer-1", "orders-api"}
    doc = audit_cluster(cat, "local", Backends(quotas=port), kinds=KINDS).to_json()
    [table] = doc["tables"]
    assert table["kind"] == "quota" and table["title"] == "Effective client quotas"
    rows = {(r[0], r[1]): r[2:] for r in table["rows"]}
    assert rows[("User:orders", "orders-api")] == [
        "100 KiB/s from user=orders",
        "1 MiB/s from user=orders,client-id=orders-api",
        "50 % from user=orders",
        "none (unlimited)",
    ]
    assert rows[("User:orders", "orders-consumer-1")][1] == "none (unlimited)"
    assert rows[("User:inventory", "(any other)")][:3] == [
        "10 MiB/s from user=<default>",
        "none (unlimited)",
        "25 % from client-id=<default>",
    ]
    assert port.requests.count("describe_groups") == 1
    assert doc["unmanaged"] == []  # every quota on the cluster is the catalog's
    markdown = AUDIT["markdown"](doc)
    assert "Effective client quotas (" in markdown and "100 KiB/s from user=orders" in markdown
    html = AUDIT["html"](doc)
    assert "Effective client quotas (" in html and "user=&lt;default&gt;" in html


def test_two_acls_files_of_one_principal_cannot_both_give_it_quotas(tmp_path: Path) -> None:
    twin = "service: billing\nprincipal: User:orders\nquotas:\n  producer_byte_rate: 1024\n"
    cat = _catalog(tmp_path, {"acls/orders.yaml": ORDERS_ACL, "acls/billing.yaml": twin})
    with pytest.raises(CatalogError, match="user=orders is declared by the acls files of both"):
        _plan(cat, MemoryQuotas())


def test_a_review_compares_the_values_in_kafkas_form_and_locates_them(tmp_path: Path) -> None:
    from kgov.review.compare import review

    base = _catalog(tmp_path / "b", {"acls/orders.yaml": _acl("orders", "  producer_byte_rate: 100KiB/s\n")})
    head = _catalog(tmp_path / "h", {"acls/orders.yaml": _acl("orders", "  producer_byte_rate: 102401\n")})
    doc = review(head, base, base_ref="main", base_commit="0" * 40, kinds=KINDS).to_json()
    [change] = [c for c in doc["changes"] if c["kind"] == "quota"]  # type: ignore[union-attr]
    assert change["name"] == "user=orders"
    assert [(r["field"], r["before"], r["after"]) for r in change["changes"]] == [
        ("quotas.producer_byte_rate", 102400, 102401)
    ]
    assert change["location"]["file"].endswith("acls/orders.yaml")


class _Refused(MemoryQuotas):
    def describe_quotas(self) -> Quotas:
        raise ClusterError("cannot read the client quotas at b:1: CLUSTER_AUTHORIZATION_FAILED")


def test_a_catalog_without_quotas_is_not_stopped_by_quotas_kgov_may_not_read(tmp_path: Path) -> None:
    plan = _plan(_catalog(tmp_path, {}), _Refused())
    assert plan.entries == ()
    assert any("client quotas not read" in w and "CLUSTER_AUTHORIZATION_FAILED" in w for w in plan.warnings)
    with pytest.raises(ClusterError, match="CLUSTER_AUTHORIZATION_FAILED"):  # it declares one: an error
        _plan(_catalog(tmp_path, {"acls/orders.yaml": ORDERS_ACL}), _Refused())


def test_a_plan_from_a_snapshot_equals_the_live_plan(tmp_path: Path) -> None:
    from kgov.engine.snapshot import plan_from_snapshot, take
    from kgov.plan.snapshotfile import save

    cat = _catalog(tmp_path, {"acls/orders.yaml": ORDERS_ACL, "cluster/local.yaml": DEFAULTS}, delete=True)
    stray = QuotaEntity(named("orders"), named("old"))
    port = MemoryQuotas({ORDERS: {"producer_byte_rate": 5.0}, stray: {"consumer_byte_rate": 7.0}})
    snapshot, skipped = take(cat, "local", Backends(quotas=port), KINDS)
    assert skipped == []
    path = tmp_path / "snap.json"
    save(snapshot, path)
    live = _plan(cat, port, allow_delete=True)
    port.requests.clear()
    offline = plan_from_snapshot(cat, "local", path, allow_delete=True, scoped=None, kinds=KINDS)
    assert port.requests == []
    assert offline.fingerprint == live.fingerprint and offline.entries == live.entries
    assert {e.address: e.action for e in live.entries}["quota.user=orders,client-id=old"] == "delete"


def test_the_audit_lists_the_quotas_no_plan_compares(tmp_path: Path) -> None:
    cat = _catalog(tmp_path, {"acls/orders.yaml": ORDERS_ACL})
    port = MemoryQuotas(
        {
            QuotaEntity(named("someone-else")): {"producer_byte_rate": 2048.0},
            QuotaEntity(None, named("legacy-app")): {"request_percentage": 10.0},
            QuotaEntity(DEFAULT_PART): {"consumer_byte_rate": 1024.0},  # the cluster file manages no default
            QuotaEntity(named("orders"), named("old")): {"consumer_byte_rate": 1.0},  # drift, not unmanaged
        }
    )
    doc = audit_cluster(cat, "local", Backends(quotas=port), kinds=KINDS).to_json()
    assert [(u["kind"], u["label"]) for u in doc["unmanaged"]] == [
        ("quota", "client-id=legacy-app: request_percentage 10 %"),
        ("quota", "user=<default>: consumer_byte_rate 1 KiB/s"),
        ("quota", "user=someone-else: producer_byte_rate 2 KiB/s"),
    ]
