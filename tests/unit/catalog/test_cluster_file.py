"""catalog/cluster/<environment>.yaml and an acls file's `quotas:` block, read into the model."""

from __future__ import annotations

import shutil
from pathlib import Path

from kgov.catalog.load import load_catalog

REPO = Path(__file__).resolve().parents[3]

CLUSTER = """settings:
  log.cleaner.threads: 2
  message.max.bytes: 2MiB
brokers:
  1: {settings: {log.cleaner.threads: 3}}
  '2': {settings: {}}
always_set: [listener.name.sasl_ssl.ssl.key.password]
quotas:
  user_default: {producer_byte_rate: 10MiB/s}
  client_id_default: {request_percentage: 50}
  users:
    User:orders:
      producer_byte_rate: 1MiB/s
      client_ids: {orders-api: {consumer_byte_rate: 2MiB/s}}
"""


def _catalog(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", root)
    for name, text in files.items():
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text(text)
    return root


def _errors(root: Path) -> list[str]:
    diags = load_catalog(root).diagnostics
    return [f"{d.location.file}:{d.location.line}:{d.location.col} {d.message}" for d in diags]


def test_a_cluster_file_is_read_as_written_with_positions(tmp_path: Path) -> None:
    loaded = load_catalog(_catalog(tmp_path, {"cluster/local.yaml": CLUSTER}))
    assert loaded.diagnostics == ()
    cluster = loaded.catalog.cluster_files["local"]
    assert cluster.environment == "local"
    assert cluster.settings == {"log.cleaner.threads": 2, "message.max.bytes": "2MiB"}
    assert sorted(cluster.brokers) == [1, 2]
    assert cluster.brokers[1].broker_id == 1 and cluster.brokers[1].settings == {"log.cleaner.threads": 3}
    assert (cluster.brokers[1].loc("settings", "log.cleaner.threads").line) == 5
    assert cluster.always_set == ("listener.name.sasl_ssl.ssl.key.password",)
    assert cluster.quota_defaults["user_default"].rates == {"producer_byte_rate": "10MiB/s"}
    assert cluster.quota_defaults["client_id_default"].rates == {"request_percentage": 50}
    orders = cluster.user_quotas["User:orders"]
    assert orders.rates == {"producer_byte_rate": "1MiB/s"}
    api = orders.client_ids["orders-api"]
    assert api.rates == {"consumer_byte_rate": "2MiB/s"} and api.loc("consumer_byte_rate").line == 14


def test_no_cluster_folder_means_no_cluster_files(tmp_path: Path) -> None:
    root = _catalog(tmp_path, {})
    shutil.rmtree(root / "cluster", ignore_errors=True)  # the example has one (catalog/cluster/local.yaml)
    assert load_catalog(root).catalog.cluster_files == {}


def test_a_cluster_file_must_name_a_declared_environment(tmp_path: Path) -> None:
    errors = _errors(_catalog(tmp_path, {"cluster/prodd.yaml": "settings: {}\n"}))
    assert len(errors) == 1
    assert "cluster/prodd.yaml:1:1" in errors[0] and "'prodd'" in errors[0] and "'prod'" in errors[0]


def test_two_files_for_one_environment_are_refused(tmp_path: Path) -> None:
    root = _catalog(tmp_path, {"cluster/local.yaml": "settings: {}\n", "cluster/local.yml": "settings: {}\n"})
    loaded = load_catalog(root)
    assert [d.message for d in loaded.diagnostics] == ["environment 'local' has two cluster files"]
    assert "local" in loaded.catalog.cluster_files


def test_structure_errors_are_positioned_and_leave_the_file_out(tmp_path: Path) -> None:
    bad = (
        "settings:\n  log.cleaner.threads: [2]\n"
        "brokers:\n  x1: {settings: {}}\n"
        "quotas:\n  users: {orders: {}}\n"
    )
    root = _catalog(tmp_path, {"cluster/local.yaml": bad})
    errors = _errors(root)
    assert any("local.yaml:2:" in e and "log.cleaner.threads" in e for e in errors)
    assert any("local.yaml:3:" in e and "x1" in e for e in errors)
    assert any("local.yaml:6:" in e and "orders" in e for e in errors)
    assert load_catalog(root).catalog.cluster_files == {}


def test_an_unknown_field_is_reported_and_never_built_from(tmp_path: Path) -> None:
    text = "settings: {}\nquotas:\n  user_default: {producer_byte_rate: 1, produce_byte_rate: 2}\n"
    loaded = load_catalog(_catalog(tmp_path, {"cluster/local.yaml": text}))
    (only,) = loaded.diagnostics
    assert "did you mean 'producer_byte_rate'" in only.message
    defaults = loaded.catalog.cluster_files["local"].quota_defaults
    assert defaults["user_default"].rates == {"producer_byte_rate": 1}


def test_an_acls_file_quotas_block(tmp_path: Path) -> None:
    root = _catalog(tmp_path, {})
    path = root / "acls" / "orders.yaml"
    block = "quotas:\n  producer_byte_rate: 100KiB/s\n"
    block += "  client_ids:\n    orders-api: {request_percentage: 25}\n"
    path.write_text(path.read_text() + block)
    loaded = load_catalog(root)
    assert loaded.diagnostics == ()
    orders = next(f for f in loaded.catalog.access_files if f.service == "orders")
    assert orders.quotas is not None
    assert orders.quotas.rates == {"producer_byte_rate": "100KiB/s"}
    assert orders.quotas.client_ids["orders-api"].rates == {"request_percentage": 25}
    others = [f for f in loaded.catalog.access_files if f.service not in ("orders", "notifications")]
    assert others and all(f.quotas is None for f in others)
