"""A cluster that answers hostile broker settings (a listener or a super user named to break out of a
Markdown table or an HTML page, or to hide a line): the governance findings carry the text, and
every audit channel shows it escaped, on one row."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kgov.audit.model import Audit
from kgov.catalog.model import Catalog, Environment, Settings, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.kafka.broker_port import BrokerConfigs, BrokerConfigValue
from kgov.kinds.brokers.governance import findings
from kgov.render import audit_html, audit_markdown

SRC = Source("kgov.yaml", YamlDoc({}, {}))
EVIL = "<img src=x onerror=alert(1)>|`x`\n# heading"


def _doc() -> dict[str, object]:
    value = {
        "listeners": BrokerConfigValue(f"PLAINTEXT://{EVIL}:9092", "STATIC_BROKER_CONFIG"),
        "super.users": BrokerConfigValue(f"User:{EVIL}", "STATIC_BROKER_CONFIG"),
    }
    env = Environment(SRC, (), name="prod", kafka={"security_protocol": "SASL_SSL"})
    catalog = Catalog(Path("."), Settings(SRC, (), environments={"prod": env}))
    found = findings(BrokerConfigs({}, {1: value}, {}), catalog, env, "kgov")
    assert {v.rule for v in found} == {"unauthenticated-listener", "super-users"}
    audit = Audit("prod", "cluster", "2026-12-06T00:00:00+00:00", "0", violations=tuple(found))
    return json.loads(json.dumps(audit.to_json()))


def test_markdown_keeps_each_hostile_finding_on_its_row() -> None:
    text = audit_markdown.render(_doc())
    assert "<img" not in text and "&lt;img" in text
    rows = [line for line in text.splitlines() if "onerror" in line]
    assert len(rows) == 2  # one row per finding: no line break got through
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) == 6  # five columns, none added by the value
    assert not any(line.startswith("# heading") for line in text.splitlines())


def test_html_escapes_them() -> None:
    page = audit_html.render(_doc())
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
