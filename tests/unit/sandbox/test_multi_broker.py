"""`kgov sandbox up --brokers N`: the layout of nodes and ports, their configs, the capacity estimate,
and `down` stopping every recorded process (no Java needed)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgov.cli.sandbox import app
from kgov.errors import SandboxError
from kgov.sandbox.api import Sandbox
from kgov.sandbox.capacity import estimate
from kgov.sandbox.credentials import write_private
from kgov.sandbox.envvars import sandbox_env
from kgov.sandbox.kafka import broker_command, format_command, read_cluster_id
from kgov.sandbox.nodes import bootstrap, kafka_nodes, replication
from kgov.sandbox.paths import StatePaths
from kgov.sandbox.process import COMPONENT_MARK, spawn, wait_gone
from kgov.sandbox.render import parse_properties, render_server_properties
from kgov.sandbox.settings import (
    Overrides,
    Ports,
    Settings,
    apply_overrides,
    port_uses,
    ports_from_base,
    to_json,
)
from kgov.sandbox.startup import check_layout

THREE = Settings(brokers=3, ports=Ports(13100, 13101, 13102, 13103, 13104, 13105, 13106, 13107, 13108))


def test_port_base_numbers_every_port_in_order() -> None:
    assert Ports(**ports_from_base(13100)) == THREE.ports


def _props(settings: Settings, name: str) -> dict[str, str]:
    node = next(n for n in kafka_nodes(settings) if n.name == name)
    text = render_server_properties(
        settings,
        data_dir=Path(f"/state/nodes/{name}/data"),
        keystore_file=Path("/state/tls/server.p12"),
        keystore_password="pw",
        ca_file=Path("/state/tls/ca.pem"),
        node=node,
    )
    assert "${" not in text
    return parse_properties(text)


def test_one_broker_is_one_combined_node() -> None:
    assert [(n.name, n.node_id, n.roles) for n in kafka_nodes(Settings())] == [
        ("kafka", 1, "broker,controller")
    ]
    assert replication(Settings()) == (1, 1)
    assert bootstrap(Settings(), "sasl") == "127.0.0.1:9094"


def test_three_brokers_are_a_controller_and_three_brokers_on_stepped_ports() -> None:
    nodes = kafka_nodes(THREE)
    assert [(n.name, n.node_id, n.roles) for n in nodes] == [
        ("controller", 0, "controller"),
        ("broker-1", 1, "broker"),
        ("broker-2", 2, "broker"),
        ("broker-3", 3, "broker"),
    ]
    assert replication(THREE) == (3, 2)
    assert bootstrap(THREE, "sasl") == "127.0.0.1:13102,127.0.0.1:13112,127.0.0.1:13122"
    assert bootstrap(THREE, "mtls") == "localhost:13104,localhost:13114,localhost:13124"
    uses = {(u.process, u.name): u.port for u in port_uses(THREE)}
    assert uses[("controller", "controller")] == 13101
    assert uses[("broker-3", "plaintext")] == 13120
    assert uses[("registry", "registry")] == 13105
    assert uses[("broker-3", "oauth")] == 13127 and uses[("issuer", "issuer")] == 13108
    assert len(set(uses.values())) == len(uses) == 1 + 3 * 5 + 2 + 1


def test_broker_and_controller_configs() -> None:
    broker = _props(THREE, "broker-2")
    assert broker["process.roles"] == "broker"
    assert broker["node.id"] == "2"
    assert "CONTROLLER" not in broker["listeners"]  # only the controller listens there
    assert broker["listeners"].startswith("PLAINTEXT://127.0.0.1:13110,SASL_PLAINTEXT://127.0.0.1:13112")
    assert "SSL://localhost:13114" in broker["advertised.listeners"]
    assert broker["controller.quorum.bootstrap.servers"] == "127.0.0.1:13101"
    assert broker["listener.name.ssl.ssl.client.auth"] == "required"
    assert broker["authorizer.class.name"].endswith("StandardAuthorizer")
    for key in ("default.replication.factor", "offsets.topic.replication.factor"):
        assert broker[key] == "3", key
    assert broker["transaction.state.log.min.isr"] == "2"
    controller = _props(THREE, "controller")
    assert controller["process.roles"] == "controller"
    assert controller["listeners"] == "CONTROLLER://127.0.0.1:13101"
    assert controller["super.users"] == "User:ANONYMOUS;User:admin"
    assert controller["default.replication.factor"] == "3"
    assert controller["log.dirs"] == "/state/nodes/controller/data"


def test_port_clash_between_brokers_names_both_options() -> None:
    # broker-2's plaintext port (13092 + 10) would be the sasl port given
    with pytest.raises(SandboxError) as caught:
        apply_overrides(Settings(), Overrides(brokers=2, ports={"plaintext": 13092, "sasl": 13102}))
    assert (
        caught.value.message
        == "port 13102 is given twice: --sasl-port and --plaintext-port (+10 for broker-2)"
    )


@pytest.mark.parametrize("count", [0, 6])
def test_broker_count_is_bounded(count: int) -> None:
    with pytest.raises(SandboxError, match=f"--brokers {count} is out of range"):
        apply_overrides(Settings(), Overrides(brokers=count))


def test_env_lists_every_broker(tmp_path: Path) -> None:
    env = sandbox_env(THREE, password="pw", paths=StatePaths.at(tmp_path))
    assert env["KGOV_BOOTSTRAP_PLAINTEXT"] == "127.0.0.1:13100,127.0.0.1:13110,127.0.0.1:13120"
    assert env["KGOV_BOOTSTRAP_SSL"] == "localhost:13103,localhost:13113,localhost:13123"


def test_each_node_has_its_own_command_config_and_storage(tmp_path: Path) -> None:
    paths = StatePaths.at(tmp_path)
    controller, broker = kafka_nodes(THREE)[:2]
    cmd = broker_command(Path("java"), Path("/lib"), paths, THREE, broker)
    assert f"{COMPONENT_MARK}broker-1" in cmd and "-Xmx512m" in cmd
    assert cmd[-1] == str(tmp_path / "nodes" / "broker-1" / "server.properties")
    assert "-Xmx256m" in broker_command(Path("java"), Path("/lib"), paths, THREE, controller)
    fmt_controller = format_command(Path("java"), Path("/lib"), paths, controller, "cid", "pw")
    fmt_broker = format_command(Path("java"), Path("/lib"), paths, broker, "cid", "pw")
    assert "--standalone" in fmt_controller and "--add-scram" in fmt_controller
    assert "--standalone" not in fmt_broker and "--add-scram" not in fmt_broker  # SCRAM lives in the quorum
    assert paths.node_data_dir("kafka") == tmp_path / "kafka-data"  # the one-broker layout is unchanged


def test_cluster_id_is_read_from_meta_properties(tmp_path: Path) -> None:
    meta = tmp_path / "meta.properties"
    assert read_cluster_id(meta) is None
    meta.write_text("#\nnode.id=2\ncluster.id=abcDEF123\nversion=1\n")
    assert read_cluster_id(meta) == "abcDEF123"


def test_data_of_another_shape_is_refused(tmp_path: Path) -> None:
    paths = StatePaths.at(tmp_path)
    paths.data_dir.mkdir(parents=True)
    paths.formatted_marker.write_text("cluster.id=x\n")
    with pytest.raises(SandboxError, match="belongs to a sandbox of 1 broker"):
        check_layout(paths, Settings(), Settings(brokers=3))
    check_layout(paths, Settings(), Settings())  # same shape: fine
    check_layout(StatePaths.at(tmp_path / "fresh"), Settings(), Settings(brokers=3))  # nothing formatted


def test_capacity_formula() -> None:
    cap = estimate(20_000, 65_530, brokers=3, replication_factor=3)
    assert cap.replicas_per_broker == 19_000 and cap.partitions == 19_000 and cap.bound_by == "open files"
    maps_bound = estimate(1_000_000, 65_530, brokers=1, replication_factor=1)
    assert (
        maps_bound.replicas_per_broker == (65_530 - 2_000) // 2 and maps_bound.bound_by == "vm.max_map_count"
    )
    assert estimate(500, None, brokers=1, replication_factor=1).partitions == 0


def test_spawn_raises_the_open_file_limit_to_the_hard_limit(tmp_path: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # above what this process has open already (the integration tests before it leave client sockets)
    lowered = min(soft, hard - 1, max(512, len(os.listdir("/proc/self/fd")) + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowered, hard))
    try:
        probe = [
            sys.executable,
            "-c",
            "import resource; print(resource.getrlimit(resource.RLIMIT_NOFILE)[0])",
        ]
        for raise_it, expected in ((True, hard), (False, lowered)):
            log = tmp_path / f"{raise_it}.log"
            pid = spawn(probe, log_file=log, pid_file=tmp_path / "p.pid", cwd=tmp_path, raise_nofile=raise_it)
            assert wait_gone(pid, 20.0)
            assert log.read_text().strip() == str(expected)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_down_stops_every_recorded_process_and_only_those(tmp_path: Path) -> None:
    write_private(tmp_path / "sandbox.json", to_json(THREE))
    write_private(tmp_path / "admin.password", "pw\n")
    box = Sandbox(tmp_path)
    assert box.processes() == ("controller", "broker-1", "broker-2", "broker-3", "registry", "issuer")
    mark = f"-Dkgov.sandbox.home={box.paths.root}"
    ours = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", mark, f"{COMPONENT_MARK}broker-2"]
    )
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        box.paths.pid_file("broker-2").parent.mkdir(parents=True)
        box.paths.pid_file("broker-2").write_text(f"{ours.pid}\n")
        box.paths.pid_file("broker-3").write_text(f"{stranger.pid}\n")  # a reused pid: not ours
        box.paths.pid_file("controller").write_text("999999999\n")  # crashed
        status = box.status()
        assert status.of("broker-2").state.value == "running"
        assert status.of("broker-3").state.value == "crashed"
        result = CliRunner().invoke(app, ["down", "--state-dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert f"broker-2: stopped (pid {ours.pid})" in result.stdout
        assert "controller: was not running" in result.stdout
        assert ours.wait(timeout=10) is not None
        assert stranger.poll() is None  # a pid that is not ours is never signalled
    finally:
        for proc in (ours, stranger):
            proc.kill()
            proc.wait()
    assert not list(box.paths.pid_file("x").parent.glob("*.pid"))


def test_logs_of_one_broker_and_of_all_kafka_processes(tmp_path: Path) -> None:
    write_private(tmp_path / "sandbox.json", to_json(THREE))
    (tmp_path / "logs").mkdir()
    for name in ("controller", "broker-1", "broker-2", "broker-3"):
        (tmp_path / "logs" / f"{name}.log").write_text(f"hello from {name}\n")
    one = CliRunner().invoke(app, ["logs", "broker-2", "--state-dir", str(tmp_path)])
    assert one.exit_code == 0 and one.stdout.strip() == "hello from broker-2"
    every = CliRunner().invoke(app, ["logs", "kafka", "--state-dir", str(tmp_path)])
    assert every.exit_code == 0
    assert all(f"hello from {n}" in every.stdout for n in ("controller", "broker-1", "broker-3"))
    bad = CliRunner().invoke(app, ["logs", "broker-9", "--state-dir", str(tmp_path)])
    assert bad.exit_code == 1 and "no process 'broker-9'" in bad.output and "broker-3" in bad.output
