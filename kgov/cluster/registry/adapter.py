"""The only module that talks HTTP to a Schema Registry (Confluent's REST API, Apicurio's ccompat v7).

A thin client over the standard library's http.client rather than confluent-kafka's
SchemaRegistryClient, because kgov needs what that client hides: an exact count of requests (the
benchmarks keep it independent of catalog size), no cache (a cached answer would hide drift from a
plan), no retries behind the caller's back, the HTTP status and Confluent error code of every
refusal (Apicurio answers 400/42203 where Confluent answers 409), and per-thread keep-alive
connections for bounded concurrent requests (kgov/cluster/pool.py). Secret references are
resolved only here, when connecting; no message ever includes the password or the URL's user
information. Besides basic authentication, a bearer token: given (`bearer_token`), or fetched with
OIDC client credentials (`oauth`, kgov/cluster/oauth.py) before the first request.
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from kgov.catalog.model import Environment
from kgov.cluster.oauth import OAuthClient, fetch_token
from kgov.cluster.pool import WORKERS, run_all
from kgov.cluster.registry.logins import registry_login
from kgov.cluster.registry.mtls import ClientCert, client_cert, tls_context
from kgov.cluster.registry.port import NewSchema, RegisteredSchema, RegistryError, SchemaReference
from kgov.errors import ClusterError, ConfigError
from kgov.secrets import resolve_refs

TIMEOUT_S = 15.0
CONCURRENCY = WORKERS  # requests in flight at once (kgov/cluster/pool.py)
MAX_RESPONSE = 64 * 1024 * 1024
PAGE = 1000  # subjects per listing request
HEADERS = {"Accept": "application/vnd.schemaregistry.v1+json, application/json"}
T = TypeVar("T")
K = TypeVar("K")


@dataclass(frozen=True)
class RegistrySettings:
    url: str  # without user information: safe to show
    host: str
    port: int | None
    base: str
    https: bool
    auth: str | None  # the Authorization header: secret
    ca: str | None
    # bearer login with a token kgov fetches (client credentials) on the first request
    oauth: OAuthClient | None = None
    # mTLS: the client certificate kgov presents; the key's password (secret) resolved from its reference
    client_cert: ClientCert | None = None

    def __repr__(self) -> str:
        return f"RegistrySettings(url={self.url!r})"


def registry_settings(env: Environment) -> RegistrySettings:
    block = env.schema_registry
    where = f"environments.{env.name}.schema_registry"
    if not block or "url" not in block:
        raise ConfigError(f"{where}.url is not set: the environment has no Schema Registry")
    raw = resolve_refs(block["url"], f"{where}.url")
    try:
        parts = urlsplit(raw)
        port = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        raise ConfigError(f"{where}.url is not a valid URL (its host or port)") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}.url must be an http:// or https:// URL")
    if "@" in parts.netloc:  # user:password@ would be silently unused: never show it, refuse it
        raise ConfigError(
            f"{where}.url holds user information (user:password@), which kgov does not use",
            hint=f"remove it from the URL; write {where}.username and .password ('${{env:NAME}}') instead",
        )
    shown = f"{parts.scheme}://{parts.hostname}{f':{port}' if port else ''}{parts.path}"
    auth, oauth = registry_login(block, where)
    ca = (
        resolve_refs(block["ssl_ca_location"], f"{where}.ssl_ca_location")
        if "ssl_ca_location" in block
        else None
    )
    https = parts.scheme == "https"
    return RegistrySettings(
        shown,
        parts.hostname,
        port,
        parts.path.rstrip("/"),
        https,
        auth,
        ca,
        oauth=oauth,
        client_cert=client_cert(block, where, https),
    )


class HttpRegistry:
    """SchemaRegistry over HTTP. Thread-safe: each thread keeps its own keep-alive connection."""

    def __init__(self, settings: RegistrySettings, timeout_s: float = TIMEOUT_S) -> None:
        self._settings, self._timeout = settings, timeout_s
        self._local = threading.local()
        self._lock = threading.Lock()
        self._requests = 0
        self._ssl = tls_context(settings.ca, settings.client_cert) if settings.https else None
        self._token: str | None = None
        self._token_lock = threading.Lock()

    @property
    def requests(self) -> int:
        return self._requests

    @property
    def concurrency(self) -> int:
        return CONCURRENCY

    # --- the port -------------------------------------------------------------------------------
    def subjects(self) -> Sequence[str]:
        # Paged: Apicurio 3.3 answers at most 1,000 subjects unless asked for more (found with 3,169).
        # A registry that ignores offset/limit answers everything at once: the first repeat ends it.
        out: list[str] = []
        seen: set[str] = set()
        while True:
            page = [
                str(s)
                for s in self._call("GET", f"/subjects?offset={len(out)}&limit={PAGE}", what="list subjects")
            ]
            fresh = [s for s in page if s not in seen]
            out += fresh
            seen.update(fresh)
            if len(page) != PAGE or len(fresh) < len(page):
                return out

    def latest(self, subjects: Sequence[str]) -> Mapping[str, RegisteredSchema | None]:
        return _parallel(subjects, lambda s: self._version(s, "latest"))

    def versions(self, subjects: Sequence[str]) -> Mapping[str, Sequence[RegisteredSchema]]:
        numbers = _parallel(subjects, self._version_numbers)
        wanted = [(s, v) for s in subjects for v in numbers[s]]
        found = self.schema_at(wanted)
        return {s: [found[(s, v)] for v in numbers[s] if (s, v) in found] for s in subjects}

    def schema_at(self, wanted: Sequence[tuple[str, int]]) -> Mapping[tuple[str, int], RegisteredSchema]:
        got = _parallel(wanted, lambda pair: self._version(pair[0], str(pair[1])))
        return {pair: schema for pair, schema in got.items() if schema is not None}

    def levels(self, subjects: Sequence[str]) -> Mapping[str, str]:
        glob: list[str] = []
        once = threading.Lock()

        def level(subject: str) -> str:
            body = self._call(
                "GET",
                f"/config/{_q(subject)}?defaultToGlobal=true",
                what=f"read the level of {subject}",
                missing=True,
            )
            if isinstance(body, dict) and body.get("compatibilityLevel"):
                return str(body["compatibilityLevel"])
            with once:  # no override and no defaultToGlobal support (40408): the global level
                if not glob:
                    glob.append(
                        str(self._call("GET", "/config", what="read the global level")["compatibilityLevel"])
                    )
            return glob[0]

        return _parallel(subjects, level)

    def set_level(self, subject: str, level: str) -> None:
        self._call(
            "PUT", f"/config/{_q(subject)}", {"compatibility": level}, what=f"set the level of {subject}"
        )

    def register(self, schema: NewSchema) -> RegisteredSchema:
        self.add_version(schema)
        body = _schema_body(schema)
        found = self._call("POST", f"/subjects/{_q(schema.subject)}", body, what=f"look up {schema.subject}")
        return _registered(schema.subject, found, schema.schema_type)

    def add_version(self, schema: NewSchema) -> int:
        body = self._call(
            "POST",
            f"/subjects/{_q(schema.subject)}/versions",
            _schema_body(schema),
            what=f"register {schema.subject}",
        )
        return int(body["id"]) if isinstance(body, dict) and str(body.get("id", "")).isdigit() else 0

    def is_compatible(self, schema: NewSchema, level: str) -> bool:
        # Found on Apicurio 3.3: `/versions/latest` checks the latest version only, even at a
        # transitive level, and `/versions` checks every version, even at a non-transitive one.
        which = "" if level.endswith("_TRANSITIVE") else "/latest"
        body = self._call(
            "POST",
            f"/compatibility/subjects/{_q(schema.subject)}/versions{which}",
            _schema_body(schema),
            what=f"check {schema.subject}",
            missing=True,
        )
        return body is None or bool(body.get("is_compatible"))

    def delete_subject(self, subject: str) -> None:
        self._call("DELETE", f"/subjects/{_q(subject)}", what=f"delete {subject}")

    # --- HTTP -----------------------------------------------------------------------------------
    def _version(self, subject: str, version: str) -> RegisteredSchema | None:
        body = self._call(
            "GET", f"/subjects/{_q(subject)}/versions/{version}", what=f"read {subject}", missing=True
        )
        return None if body is None else _registered(subject, body)

    def _version_numbers(self, subject: str) -> list[int]:
        body = self._call(
            "GET", f"/subjects/{_q(subject)}/versions", what=f"list versions of {subject}", missing=True
        )
        return sorted(int(v) for v in body or [])

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            s = self._settings
            if s.https:
                conn = http.client.HTTPSConnection(s.host, s.port, timeout=self._timeout, context=self._ssl)
            else:
                conn = http.client.HTTPConnection(s.host, s.port, timeout=self._timeout)
            self._local.conn = conn
        return conn

    def _auth(self) -> str | None:
        """The Authorization header: as configured, or a bearer token fetched once (by one thread)
        with the oauth block's client credentials before the first request."""
        oauth = self._settings.oauth
        if oauth is None:
            return self._settings.auth
        with self._token_lock:
            if self._token is None:
                where = "schema_registry.oauth"
                self._token = "Bearer " + fetch_token(oauth, where, self._timeout)
            return self._token

    def _call(
        self, method: str, path: str, payload: object = None, *, what: str, missing: bool = False
    ) -> Any:
        """One request; `missing`: a 404 answers None. Every failure is a ClusterError or RegistryError."""
        headers = dict(HEADERS)
        auth = self._auth()
        if auth:
            headers["Authorization"] = auth
        data = None
        if payload is not None:
            data = json.dumps(payload).encode()
            headers["Content-Type"] = "application/vnd.schemaregistry.v1+json"
        url = self._settings.url
        for attempt in (1, 2):
            with self._lock:
                self._requests += 1
            try:
                conn = self._connection()
                conn.request(method, self._settings.base + path, body=data, headers=headers)
                response = conn.getresponse()
                raw = response.read(MAX_RESPONSE + 1)
                break
            except (OSError, http.client.HTTPException) as exc:
                self._local.conn = None
                if attempt == 1 and method != "DELETE" and isinstance(exc, _ASK_AGAIN):
                    continue  # once, on a new connection: see _ASK_AGAIN
                raise _unreachable(url, what, exc, self._settings.https) from None
        if len(raw) > MAX_RESPONSE:
            raise ClusterError(
                f"the Schema Registry at {url} answered more than {MAX_RESPONSE} bytes to {what}"
            )
        body = _json(raw)
        if response.status < 300:
            return body
        code = (
            int(body.get("error_code", 0))
            if isinstance(body, dict) and str(body.get("error_code", "")).isdigit()
            else 0
        )
        text = str(body.get("message", "")) if isinstance(body, dict) else ""
        if response.status == 404 and missing:
            return None
        raise _refusal(url, what, response.status, code, text[:500])


# Asked again once, on a new connection: a kept-alive connection the registry closed meanwhile, and
# a request that got no answer in time (Apicurio lost one request in thousands here, answering the
# rest: docs/schemas.md). Reads, registrations (the same schema gets the same version) and level
# changes are safe to repeat; a delete is not asked twice. Each attempt counts as a request.
_ASK_AGAIN = (TimeoutError, ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)


def _unreachable(url: str, what: str, exc: Exception, https: bool) -> ClusterError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
    if isinstance(exc, ssl.SSLCertVerificationError):
        return ClusterError(
            f"the Schema Registry at {url} has a TLS certificate kgov does not trust ({reason})",
            hint="give its CA in schema_registry.ssl_ca_location",
        )
    # a registry that requires a client certificate ends the TLS connection (an alert, an EOF or a
    # reset, as the timing goes) when kgov has none, or one of a CA it does not trust
    tls = (
        "; over TLS: a registry that requires a client certificate (mTLS) needs "
        "schema_registry.ssl_certificate_location and ssl_key_location, signed by a CA it trusts"
    )
    if isinstance(exc, ssl.SSLError):
        return ClusterError(
            f"the Schema Registry at {url} ended the TLS connection ({reason}) while trying to {what}",
            hint="check schema_registry.ssl_ca_location" + tls,
        )
    return ClusterError(
        f"the Schema Registry at {url} is unreachable ({reason}) while trying to {what}",
        hint="check schema_registry.url and that the registry is up" + (tls if https else ""),
    )


def _refusal(url: str, what: str, status: int, code: int, text: str) -> Exception:
    if status == 401:
        return ClusterError(
            f"the Schema Registry at {url} refused the credentials (401) to {what}",
            hint="check schema_registry.username and password (or bearer_token, or oauth)",
        )
    if status == 403:
        return ClusterError(f"the Schema Registry at {url} does not allow kgov to {what} (403)")
    if status >= 500:
        return ClusterError(f"the Schema Registry at {url} failed to {what}: HTTP {status} {text}".rstrip())
    return RegistryError(
        f"cannot {what}: HTTP {status}{f' ({code})' if code else ''} {text}".rstrip(), status, code
    )


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _q(subject: str) -> str:
    return quote(subject, safe="")


def _schema_body(schema: NewSchema) -> dict[str, object]:
    body: dict[str, object] = {"schema": schema.schema, "schemaType": schema.schema_type}
    if schema.references:
        body["references"] = [
            {"name": r.name, "subject": r.subject, "version": r.version} for r in schema.references
        ]
    return body


def _registered(subject: str, body: Mapping[str, Any], schema_type: str = "AVRO") -> RegisteredSchema:
    """A version as the registry describes it; `schemaType` is omitted for Avro (and by lookups)."""
    refs = tuple(
        SchemaReference(str(r["name"]), str(r["subject"]), int(r["version"]))
        for r in body.get("references") or ()
    )
    return RegisteredSchema(
        subject,
        int(body["version"]),
        int(body["id"]),
        str(body.get("schemaType") or schema_type),
        str(body["schema"]),
        refs,
    )


def _parallel(items: Sequence[K], fn: Callable[[K], T]) -> dict[K, T]:
    return run_all(fn, items, CONCURRENCY)


def connect_registry(env: Environment, timeout_s: float = TIMEOUT_S) -> HttpRegistry:
    return HttpRegistry(registry_settings(env), timeout_s)
