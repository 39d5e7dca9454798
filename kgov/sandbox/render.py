"""Fill in the packaged broker config templates (pure functions: text in, text out)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from string import Template

from kgov.sandbox.settings import HOST, SSL_HOST, Settings


def packaged_text(name: str) -> str:
    """A file shipped inside kgov/sandbox/ (templates, poms)."""
    return resources.files("kgov.sandbox").joinpath(name).read_text(encoding="utf-8")


def _escape_property(value: str) -> str:
    """Java .properties values treat backslashes as escapes; paths on Windows would need them doubled."""
    return value.replace("\\", "\\\\")


def render_server_properties(
    settings: Settings, *, data_dir: Path, keystore_file: Path, keystore_password: str, ca_file: Path
) -> str:
    ports = settings.ports
    return Template(packaged_text("kafka-server.properties")).substitute(
        host=HOST,
        ssl_host=SSL_HOST,
        plaintext_port=ports.plaintext,
        controller_port=ports.controller,
        sasl_port=ports.sasl,
        ssl_port=ports.ssl,
        mtls_port=ports.mtls,
        data_dir=_escape_property(str(data_dir)),
        keystore_file=_escape_property(str(keystore_file)),
        keystore_password=_escape_property(keystore_password),
        ca_file=_escape_property(str(ca_file)),
    )


def render_log4j2() -> str:
    return packaged_text("kafka-log4j2.properties")


def parse_properties(text: str) -> dict[str, str]:
    """A small reader for the simple `key=value` lines we write (used by tests and sanity checks)."""
    result: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "!")):
            continue
        key, _, value = line.partition("=")
        result[key.strip()] = value.strip()
    return result
