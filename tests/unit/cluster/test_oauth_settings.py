"""Issue 23 part 2: OAUTHBEARER (OIDC client credentials) settings, the schema and lint for the `oauth`
blocks, and the Schema Registry's bearer login (a given token, or one fetched with client credentials),
proven against tiny local HTTP servers. No secret or token appears in a message or a repr."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from kgov.catalog.model import Environment, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cli import app
from kgov.cluster.kafka.adapter.client_options import client_config
from kgov.cluster.kafka.client_settings import kafka_settings
from kgov.cluster.registry.adapter import HttpRegistry, registry_settings
from kgov.errors import ClusterError, ConfigError
from kgov.secrets import forget

SECRET = "Cl13ntS3cretValue"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJrZ292In0.c2lnbmF0dXJlVmFsdWU"
EXAMPLE = Path(__file__).resolve().parents[3] / "catalog"


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("T_OAUTH_SECRET", SECRET)
    monkeypatch.setenv("T_SR_TOKEN", TOKEN)
    yield
    forget()


def _env(kafka: dict[str, object], registry: dict[str, object] | None = None) -> Environment:
    return Environment(Source("kgov.yaml", YamlDoc({}, {})), (), "prod", kafka, registry)


def _oauth(**more: object) -> dict[str, object]:
    return {
        "token_endpoint_url": "https://idp.example/oauth2/token",
        "client_id": "kgov-ci",
        "client_secret": "${env:T_OAUTH_SECRET}",
        **more,
    }


def _kafka(**more: object) -> dict[str, object]:
    return {
        "bootstrap_servers": "b:9093",
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "OAUTHBEARER",
        "oauth": _oauth(),
        **more,
    }


# ---- Kafka: librdkafka's OIDC settings ------------------------------------------------------------


def test_oauthbearer_maps_to_librdkafka_oidc() -> None:
    extensions = {"logicalCluster": "lkc-1", "identityPoolId": "p"}
    kafka = _kafka(oauth=_oauth(scope="kafka.admin", extensions=extensions))
    settings = kafka_settings(_env(kafka))
    conf = settings.client
    assert conf["sasl.mechanism"] == "OAUTHBEARER"
    assert conf["sasl.oauthbearer.method"] == "oidc"
    assert conf["sasl.oauthbearer.client.id"] == "kgov-ci"
    assert conf["sasl.oauthbearer.client.secret"] == SECRET
    assert conf["sasl.oauthbearer.token.endpoint.url"] == "https://idp.example/oauth2/token"
    assert conf["sasl.oauthbearer.scope"] == "kafka.admin"
    assert conf["sasl.oauthbearer.extensions"] == "logicalCluster=lkc-1,identityPoolId=p"
    assert "sasl.username" not in conf and "sasl.password" not in conf
    assert SECRET not in repr(settings) and SECRET not in repr(settings.oauth)


def test_the_token_endpoint_ca_goes_to_librdkafka(tmp_path: Path) -> None:
    conf = kafka_settings(_env(_kafka(oauth=_oauth(ssl_ca_location=str(tmp_path / "idp.pem"))))).client
    assert conf["https.ca.location"] == str(tmp_path / "idp.pem")


def test_librdkafka_accepts_the_settings() -> None:
    from confluent_kafka.admin import AdminClient

    conf = dict(kafka_settings(_env(_kafka(oauth=_oauth(scope="s", extensions={"a": "b"})))).client)
    AdminClient({**conf, "logger": _quiet_logger()})  # an unknown or malformed property would raise


def _quiet_logger() -> Any:
    import logging

    log = logging.getLogger("t.oauth")
    log.propagate = False
    log.addHandler(logging.NullHandler())
    return log


@pytest.mark.parametrize(
    ("kafka", "says"),
    [
        ({**_kafka(), "sasl_mechanism": "SCRAM-SHA-512"}, "sasl_mechanism is not OAUTHBEARER"),
        ({k: v for k, v in _kafka().items() if k != "oauth"}, "oauth is not set"),
        ({**_kafka(), "security_protocol": "SSL"}, "needs security_protocol SASL_SSL"),
        ({**_kafka(), "password": "${env:T_OAUTH_SECRET}", "username": "u"}, "uses no user name or password"),
        (_kafka(oauth=_oauth(extensions={"a": "x,y"})), "extensions.a"),
        (_kafka(oauth=_oauth(extensions={"auth": "x"})), "extensions.auth"),
        (_kafka(oauth=_oauth(token_endpoint_url="ftp://idp/token")), "token_endpoint_url must be"),
        (_kafka(oauth=_oauth(token_endpoint_url="https://u:p@idp/token")), "token_endpoint_url must be"),
        (_kafka(oauth=_oauth(token_endpoint_url="http://idp.example/token")), "would travel unencrypted"),
        (_kafka(oauth=_oauth(client_secret="${env:T_NOT_SET_ANYWHERE}")), "T_NOT_SET_ANYWHERE"),
    ],
)
def test_inconsistent_oauth_settings_are_config_errors(kafka: dict[str, object], says: str) -> None:
    with pytest.raises(ConfigError) as info:
        kafka_settings(_env(kafka))
    text = f"{info.value.message} {info.value.hint}"
    assert says in text and SECRET not in text


def test_kafka_python_logs_in_with_a_token_from_the_same_client_credentials() -> None:
    with _server({"/token": (200, {"access_token": TOKEN, "token_type": "Bearer"})}) as (base, seen):
        kafka = _kafka(security_protocol="SASL_PLAINTEXT", oauth=_oauth(token_endpoint_url=f"{base}/token"))
        options = client_config(kafka_settings(_env(kafka)))
        assert options["sasl_mechanism"] == "OAUTHBEARER"
        provider = options["sasl_oauth_token_provider"]
        assert provider.token() == TOKEN and provider.token() == TOKEN
    assert len(seen) == 1  # kept, not fetched for every connection
    assert seen[0]["body"] == "grant_type=client_credentials"


# ---- the schema and lint ----------------------------------------------------------------------------


def _catalog(tmp_path: Path, env_block: str) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    settings = root / "kgov.yaml"
    text = settings.read_text("utf-8")
    settings.write_text(text.replace("environments:\n", "environments:\n" + env_block, 1))
    return root


def _lint(root: Path) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["lint", str(root), "-f", "json"])
    doc: dict[str, Any] = json.loads(result.stdout)
    doc["exit"], doc["output"] = result.exit_code, result.output
    return doc


OAUTH_ENV = """  cloud:
    kafka:
      bootstrap_servers: ${env:CLOUD_BOOTSTRAP}
      security_protocol: SASL_SSL
      sasl_mechanism: OAUTHBEARER
      oauth:
        token_endpoint_url: https://login.example/oauth2/v2.0/token
        client_id: kgov
        client_secret: %s
        scope: api://kafka/.default
        extensions: {logicalCluster: lkc-1}
    schema_registry:
      url: https://sr.example
      %s
"""


def test_an_oauth_environment_is_clean(tmp_path: Path) -> None:
    root = _catalog(tmp_path, OAUTH_ENV % ("'${env:CLOUD_SECRET}'", "bearer_token: '${file:/run/sr-token}'"))
    doc = _lint(root)
    assert doc["exit"] == 0, doc["output"]


@pytest.mark.parametrize(
    ("secret", "registry", "field"),
    [
        ("Hunter2Literal", "bearer_token: '${env:SR}'", "kafka.oauth.client_secret"),
        ("'${env:X}'", "bearer_token: Hunter2Literal", "schema_registry.bearer_token"),
        (
            "'${env:X}'",
            "oauth: {token_endpoint_url: 'https://i/t', client_id: c, client_secret: Hunter2Literal}",
            "schema_registry.oauth.client_secret",
        ),
    ],
)
def test_a_literal_client_secret_or_token_is_a_lint_error_never_repeated(
    tmp_path: Path, secret: str, registry: str, field: str
) -> None:
    doc = _lint(_catalog(tmp_path, OAUTH_ENV % (secret, registry)))
    assert doc["exit"] == 1
    (finding,) = [d for d in doc["diagnostics"] if d["rule"] == "literal-secret"]
    assert field in finding["message"]
    assert "Hunter2Literal" not in doc["output"]


def test_a_misspelt_oauth_key_gets_a_suggestion(tmp_path: Path) -> None:
    env = OAUTH_ENV % ("'${env:X}'", "bearer_token: '${env:SR}'")
    doc = _lint(_catalog(tmp_path, env.replace("client_secret:", "client_secrt:")))
    assert doc["exit"] == 1
    assert "client_secret" in doc["output"]  # did you mean client_secret?
    assert "OAUTHBEARER" in (EXAMPLE.parent / "kgov/catalog/schemas/kgov.schema.json").read_text("utf-8")


# ---- the Schema Registry's bearer login -----------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, object]]] = {}
    seen: ClassVar[list[dict[str, str]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path = self.path.split("?", 1)[0]
        self.seen.append({"path": path, "auth": self.headers.get("Authorization", ""), "body": body})
        status, doc = self.routes.get(path, (404, {"error_code": 40401, "message": "not found"}))
        raw = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


class _server:
    """A local HTTP server answering `routes` (path -> status, JSON), recording each request."""

    def __init__(self, routes: dict[str, tuple[int, object]]) -> None:
        handler = type("H", (_Handler,), {"routes": routes, "seen": []})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.seen: list[dict[str, str]] = handler.seen  # type: ignore[attr-defined]

    def __enter__(self) -> tuple[str, list[dict[str, str]]]:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}", self.seen

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_the_registry_sends_a_given_bearer_token() -> None:
    with _server({"/subjects": (200, ["a-value"])}) as (base, seen):
        block = {"url": base, "bearer_token": "${env:T_SR_TOKEN}"}
        registry = HttpRegistry(registry_settings(_env({}, block)))
        assert registry.subjects() == ["a-value"]
    assert seen[0]["auth"] == f"Bearer {TOKEN}"
    assert TOKEN not in repr(registry_settings(_env({}, block)))


def test_the_registry_fetches_a_token_with_client_credentials_once() -> None:
    routes: dict[str, tuple[int, object]] = {
        "/token": (200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 300}),
        "/subjects": (200, ["a-value"]),
        "/subjects/a-value/versions/latest": (200, {"version": 1, "id": 7, "schema": '"string"'}),
    }
    with _server(routes) as (base, seen):
        block = {"url": base, "oauth": _oauth(token_endpoint_url=f"{base}/token", scope="sr.read")}
        registry = HttpRegistry(registry_settings(_env({}, block)))
        assert registry.subjects() == ["a-value"]
        assert registry.latest(["a-value"])["a-value"] is not None
    token_calls = [s for s in seen if s["path"] == "/token"]
    assert len(token_calls) == 1
    assert token_calls[0]["body"] == "grant_type=client_credentials&scope=sr.read"
    assert token_calls[0]["auth"].startswith("Basic ")  # client id and secret, RFC 6749 §2.3.1
    assert {s["auth"] for s in seen if s["path"] != "/token"} == {f"Bearer {TOKEN}"}


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ((401, {"error": "invalid_client", "error_description": f"bad secret {SECRET}"}), "invalid_client"),
        ((200, {"token_type": "Bearer"}), "no access_token"),
        ((200, {"access_token": "two\r\nlines"}), "no access_token"),
    ],
)
def test_a_refused_token_request_is_a_clear_error_without_the_secret(
    answer: tuple[int, object], says: str
) -> None:
    with _server({"/token": answer}) as (base, seen):
        block = {"url": base, "oauth": _oauth(token_endpoint_url=f"{base}/token")}
        with pytest.raises(ClusterError) as info:
            HttpRegistry(registry_settings(_env({}, block))).subjects()
    text = f"{info.value.message} {info.value.hint}"
    assert says in text and "schema_registry.oauth" in text
    assert SECRET not in text and "bad secret" not in text
    assert all(s["path"] == "/token" for s in seen)  # the registry is never asked without a token


def test_an_unreachable_token_endpoint_is_a_clear_error() -> None:
    block = {"url": "http://127.0.0.1:9", "oauth": _oauth(token_endpoint_url="http://127.0.0.1:9/token")}
    with pytest.raises(ClusterError) as info:
        HttpRegistry(registry_settings(_env({}, block)), timeout_s=2).subjects()
    assert "cannot reach the endpoint" in info.value.message and SECRET not in info.value.message


def test_one_registry_login_only() -> None:
    block = {"url": "http://r", "username": "u", "password": "${env:X}", "bearer_token": "${env:T_SR_TOKEN}"}
    with pytest.raises(ConfigError, match="give one way to log in"):
        registry_settings(_env({}, block))
