"""`kgov sandbox ...`: options -> one function of kgov/sandbox/commands.py returning an exit code.

Errors become exit codes in kgov/cli/exits.py, as for every command.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from kgov.cli.exits import run_command
from kgov.errors import SandboxError
from kgov.sandbox.commands import do_cert, do_down, do_env, do_logs, do_status, do_up
from kgov.sandbox.paths import DEFAULT_STATE_DIR
from kgov.sandbox.properties import parse
from kgov.sandbox.settings import MAX_BROKERS, Overrides, ports_from_base

app = typer.Typer(
    help="Run a real local Kafka (KRaft, SCRAM, TLS, ACLs) and Schema Registry (Apicurio, ccompat API).",
    no_args_is_help=True,
)


STATE_DIR_OPTION = typer.Option(
    DEFAULT_STATE_DIR,
    "--state-dir",
    envvar="KGOV_SANDBOX_STATE_DIR",
    help="The sandbox's folder (config, data, logs, pid files, admin password).",
)


@app.command()
def up(
    state_dir: Path = STATE_DIR_OPTION,
    kafka_version: str | None = typer.Option(None, help="Apache Kafka version (4.x) from Maven Central."),
    registry_version: str | None = typer.Option(
        None, help="Apicurio Registry version (3.x) from Maven Central."
    ),
    plaintext_port: int | None = typer.Option(None, help="PLAINTEXT listener (no auth) (default: 9092)."),
    controller_port: int | None = typer.Option(None, help="KRaft CONTROLLER listener (default: 9093)."),
    sasl_port: int | None = typer.Option(None, help="SASL_PLAINTEXT listener, SCRAM (default: 9094)."),
    ssl_port: int | None = typer.Option(None, help="SASL_SSL listener, SCRAM over TLS (default: 9095)."),
    mtls_port: int | None = typer.Option(
        None, help="SSL listener, mTLS: client certificate (default: 9096)."
    ),
    registry_port: int | None = typer.Option(None, help="Schema Registry HTTP port (default: 8081)."),
    registry_management_port: int | None = typer.Option(
        None, help="Registry management (health/metrics) port (default: 8082)."
    ),
    oauth_port: int | None = typer.Option(
        None, help="SASL_PLAINTEXT listener, OAUTHBEARER: tokens from the sandbox's issuer (default: 9097)."
    ),
    issuer_port: int | None = typer.Option(None, help="The OAuth token issuer's HTTP port (default: 8083)."),
    port_base: int | None = typer.Option(
        None,
        help="All ports from one number B: plaintext B, controller B+1, SASL B+2, SSL B+3, mTLS B+4, "
        "registry B+5, registry management B+6, OAuth B+7, token issuer B+8 (a port option given as well "
        "wins).",
    ),
    brokers: int | None = typer.Option(
        None,
        "--brokers",
        help="1: one combined broker + controller (the default). "
        f"2-{MAX_BROKERS}: a KRaft controller plus that many brokers; broker k listens on each listener "
        "port + 10*(k-1).",
    ),
    racks: int | None = typer.Option(
        None,
        "--racks",
        help="Set broker.rack: broker k gets rack r{(k-1) % N} (0: none, the default; at most the number "
        "of brokers).",
    ),
    heap: str | None = typer.Option(
        None, "--heap", help="Each broker's max heap (-Xmx) (default: 512m; 2g for 5,000+ topics)."
    ),
    registry_heap: str | None = typer.Option(None, help="The registry's max heap (-Xmx) (default: 256m)."),
    controller_heap: str | None = typer.Option(
        None,
        help="The dedicated KRaft controller's max heap (-Xmx) with --brokers 2+ (default: 256m; 1g for "
        "50,000+ topics). The one-broker sandbox's combined node takes --heap.",
    ),
    jit: str | None = typer.Option(
        None,
        "--jit",
        help="The brokers' JIT: quick (one tier, starts fast) (the default) or full (as production brokers "
        "run; for benchmarks: large requests are answered several times faster).",
    ),
    server_property: list[str] | None = typer.Option(
        None,
        "--server-property",
        metavar="KEY=VALUE",
        help="An extra broker server property, e.g. auto.create.topics.enable=true (repeatable; static "
        "settings included). Given ones replace those remembered; the sandbox's own listeners, "
        "authentication, authorizer and storage cannot be set.",
    ),
    no_server_properties: bool = typer.Option(
        False, "--no-server-properties", help="Forget the remembered --server-property settings."
    ),
    timeout: float = typer.Option(
        120.0,
        help="Seconds for the whole start: connection failures of a service still starting are retried "
        "until then; then the step that ran out of time is named.",
    ),
) -> None:
    """Fetch (first run), configure and start Kafka + Schema Registry; wait until both answer.

    Idempotent: on a running sandbox it says so and exits 0. Options are remembered in the state folder.
    """
    based = ports_from_base(port_base) if port_base is not None else {}
    given = {
        "plaintext": plaintext_port,
        "controller": controller_port,
        "sasl": sasl_port,
        "ssl": ssl_port,
        "mtls": mtls_port,
        "registry": registry_port,
        "registry_management": registry_management_port,
        "oauth": oauth_port,
        "issuer": issuer_port,
    }
    ports = {**based, **{k: v for k, v in given.items() if v is not None}}

    def start() -> int:
        over = Overrides(
            kafka_version=kafka_version,
            registry_version=registry_version,
            kafka_heap=heap,
            registry_heap=registry_heap,
            controller_heap=controller_heap,
            ports=ports,
            brokers=brokers,
            kafka_jit=jit,
            racks=racks,
            server_properties=_server_properties(server_property, no_server_properties),
        )
        return do_up(state_dir, over, timeout)

    run_command(start)


def _server_properties(given: list[str] | None, forget: bool) -> tuple[tuple[str, str], ...] | None:
    """None: as remembered; else the properties the sandbox starts with (() with --no-server-properties)."""
    if forget and given:
        raise SandboxError(
            "--server-property and --no-server-properties are given together", hint="give one of them"
        )
    return () if forget else parse(given) if given else None


@app.command()
def env(state_dir: Path = STATE_DIR_OPTION) -> None:
    """Print `export KGOV_...=...` lines for the sandbox: use `eval "$(kgov sandbox env)"`.

    Includes the admin password (KGOV_PASSWORD): printing it is this command's purpose.
    """
    run_command(lambda: do_env(state_dir))


class StatusFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def status(
    state_dir: Path = STATE_DIR_OPTION,
    fmt: StatusFormat = typer.Option(StatusFormat.text, "--format", "-f", help="Output format."),
) -> None:
    """Show each process: running / stopped / crashed, pid, ports, memory (RSS). Exit 1 on a crash."""
    run_command(lambda: do_status(state_dir, fmt.value))


@app.command()
def logs(
    component: str | None = typer.Argument(
        None, help="kafka, registry, or one process of a multi-broker sandbox (controller, broker-2)."
    ),
    lines: int = typer.Option(50, "--lines", "-n", help="How many lines from the end."),
    state_dir: Path = STATE_DIR_OPTION,
) -> None:
    """Print the last lines of the Kafka and/or registry logs."""
    run_command(lambda: do_logs(state_dir, component, lines))


@app.command()
def down(
    state_dir: Path = STATE_DIR_OPTION,
    purge: bool = typer.Option(
        False, "--purge", help="Also delete the state folder (data, certs, password)."
    ),
    timeout: float = typer.Option(30.0, help="Seconds to wait after SIGTERM before SIGKILL."),
) -> None:
    """Stop the processes this sandbox started (checked by pid and command line)."""
    run_command(lambda: do_down(state_dir, purge, timeout))


@app.command()
def cert(
    service: str = typer.Argument(
        ..., help="The service: the certificate's CN, the principal User:<SERVICE>."
    ),
    out_dir: Path | None = typer.Option(
        None, "--out", help="Folder for <SERVICE>.pem and <SERVICE>.key (default: <state-dir>/tls/clients)."
    ),
    state_dir: Path = STATE_DIR_OPTION,
) -> None:
    """Issue a client certificate (CN=SERVICE) signed by the sandbox CA, to act as that service over mTLS.

    The sandbox's mTLS listener maps the certificate's CN to the principal User:SERVICE.
    """
    run_command(lambda: do_cert(state_dir, service, out_dir))
