"""Test helpers: throwaway catalogs and the CLI run in-process."""

from __future__ import annotations

import signal
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from kgov.cli import app

SETTINGS: dict[str, Any] = {
    "version": 1,
    "policy": {
        "replication_factor": {"min": 1},
        "min_insync_replicas": {"min": 1},
        "required": ["owner"],
    },
    "ownership": {"protected": ["__*", "_*"], "delete": True},
    "environments": {
        "local": {
            "kafka": {
                "bootstrap_servers": "${env:KGOV_BOOTSTRAP_SASL}",
                "security_protocol": "SASL_PLAINTEXT",
                "sasl_mechanism": "SCRAM-SHA-512",
                "username": "${env:KGOV_USERNAME}",
                "password": "${env:KGOV_PASSWORD}",
                "timeout_ms": 20000,
            },
        }
    },
}


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def kgov(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    return Result(result.exit_code, result.stdout, result.stderr)


def sigint_default() -> None:
    """preexec_fn for a kgov process a test will Ctrl-C: a shell that runs pytest in the background
    starts it with SIGINT ignored, which the child inherits (and Python then installs no
    KeyboardInterrupt): the test would measure the shell, not kgov. Reset here, Python sets its own."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def unique_service() -> str:
    return "t" + uuid.uuid4().hex[:10]


def write_catalog(root: Path, topics_by_service: dict[str, list[dict[str, Any]]], **settings: Any) -> Path:
    (root / "topics").mkdir(parents=True, exist_ok=True)
    doc = {**SETTINGS, **settings}
    (root / "kgov.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    for old in (root / "topics").glob("*.yaml"):
        old.unlink()
    for service, topics in topics_by_service.items():
        body = {"service": service, "owner": "team-test", "topics": topics}
        (root / "topics" / f"{service}.yaml").write_text(yaml.safe_dump(body, sort_keys=False))
    return root


def topic_doc(name: str, partitions: int = 1, **config: Any) -> dict[str, Any]:
    """A topic entry of a topics file; config keys may use _ for . (retention_ms)."""
    topic: dict[str, Any] = {
        "name": name,
        "description": "test",
        "partitions": partitions,
        "replication_factor": 1,
    }
    if config:
        topic["config"] = {k.replace("_", "."): v for k, v in config.items()}
    return topic


def node_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every node of a parsed document, the root's `()` first."""
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += node_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += node_paths(value, (*prefix, i))
    return out
