"""The Schema Registry side: Apicurio Registry 3 (Quarkus fast-jar, in-memory storage), spoken to through
its Confluent-compatible API (`/apis/ccompat/v7`) with the standard library's HTTP client."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgov.errors import SandboxError
from kgov.sandbox.paths import Component, StatePaths
from kgov.sandbox.process import marks
from kgov.sandbox.retry import Deadline, describe, retry
from kgov.sandbox.settings import HOST, Settings

CCOMPAT_PATH = "/apis/ccompat/v7"
GLOBAL_COMPATIBILITY = "BACKWARD"


@dataclass(frozen=True)
class RegistryInfo:
    name: str
    version: str

    @property
    def label(self) -> str:
        """e.g. "Apicurio Registry 3.3.3 (ccompat v7)"; the storage suffix "(SQL)" is left out."""
        base = self.name.split(" (")[0] or "Apicurio Registry"
        return f"{base} {self.version} (ccompat v7)"


def base_url(settings: Settings) -> str:
    return f"http://{HOST}:{settings.ports.registry}"


def ccompat_url(settings: Settings) -> str:
    return base_url(settings) + CCOMPAT_PATH


def registry_command(java: Path, home: Path, paths: StatePaths, settings: Settings) -> list[str]:
    ports = settings.ports
    return [
        str(java),
        f"-Xmx{settings.registry_heap}",
        "-Xms32m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-XX:+ExitOnOutOfMemoryError",
        # Every collection and every safepoint (pause), with wall-clock times, beside registry.log:
        # a slow registry request in a test run can be matched to (or cleared of) a JVM pause.
        # The quotes let the state folder's path hold ':' or ','.
        f'-Xlog:gc,safepoint=info:file="{paths.log_file("registry-gc")}":time,uptime:filecount=2,filesize=5m',
        "-Djava.awt.headless=true",
        *marks(paths.root, Component.REGISTRY.value),
        f"-Dquarkus.http.host={HOST}",
        f"-Dquarkus.http.port={ports.registry}",
        # The management interface is on in the build (default port 9000, all interfaces): pin it down.
        f"-Dquarkus.management.host={HOST}",
        f"-Dquarkus.management.port={ports.registry_management}",
        "-Dapicurio.storage.kind=sql",
        "-Dapicurio.storage.sql.kind=h2",
        "-jar",
        str(home / "quarkus-run.jar"),
    ]


def _request(method: str, url: str, body: dict[str, Any] | None = None, timeout: float = 3.0) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/vnd.schemaregistry.v1+json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the open response
        raise
    return json.loads(raw) if raw else None


def _call(
    method: str,
    url: str,
    deadline: Deadline,
    step: str,
    body: dict[str, Any] | None = None,
    check: Callable[[], None] | None = None,
) -> Any:
    """One API call, again after each connection-level failure until the deadline (all are idempotent);
    check() may stop the retries at once (it raises when the registry's process is gone)."""
    try:
        return retry(
            step,
            deadline,
            lambda timeout: _request(method, url, body, timeout),
            explain=lambda exc: f"the registry does not answer {method} {url}: {describe(exc)}",
            check=check,
        )
    except (OSError, ValueError, http.client.HTTPException) as exc:  # not a connection-level failure
        raise SandboxError(f"the registry failed {method} {url}: {describe(exc)}") from exc


def probe(settings: Settings, timeout: float = 2.0) -> str | None:
    """None when the ccompat API answers (GET /subjects), else why not (one line)."""
    url = ccompat_url(settings) + "/subjects"
    try:
        _request("GET", url, timeout=timeout)
    except (OSError, ValueError, http.client.HTTPException) as exc:
        return f"GET {url}: {describe(exc)}"
    return None


def probe_ready(settings: Settings) -> bool:
    """True when the ccompat API answers (GET /subjects)."""
    return probe(settings) is None


def set_global_compatibility(
    settings: Settings,
    deadline: Deadline,
    step: str,
    level: str = GLOBAL_COMPATIBILITY,
    check: Callable[[], None] | None = None,
) -> None:
    """PUT the global compatibility level (Apicurio's default is NONE), then read it back."""
    url = ccompat_url(settings) + "/config"
    _call("PUT", url, deadline, step, {"compatibility": level}, check)
    got = _call("GET", url, deadline, step, check=check)
    current = (got.get("compatibilityLevel") or got.get("compatibility")) if isinstance(got, dict) else None
    if current != level:
        raise SandboxError(f"the registry's global compatibility is {current!r} after setting it to {level}")


INFO_STEP = "Asking the registry for its version"


def system_info(
    settings: Settings,
    deadline: Deadline | None = None,
    step: str = INFO_STEP,
    check: Callable[[], None] | None = None,
) -> RegistryInfo:
    """Name and version of the registry (retried until the deadline, by default 10 s from now)."""
    url = base_url(settings) + "/apis/registry/v3/system/info"
    info = _call("GET", url, deadline or Deadline.after(10.0), step, check=check)
    if not isinstance(info, dict):
        raise SandboxError(f"unexpected answer from {url}: {info!r}")
    return RegistryInfo(name=str(info.get("name", "")), version=str(info.get("version", "?")))
