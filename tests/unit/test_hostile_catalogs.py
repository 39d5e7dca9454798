"""Property: whatever a hostile pull request puts in a catalog (odd YAML scalars and tags, symlinks
out of the catalog, FIFOs, huge numbers, control characters, secrets in password fields and in
files outside), lint exits 0 or 1 within 10 s, puts file:line:col on every diagnostic, prints no
traceback, and no output format ever contains the secret."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kgov.cli import app

SECRET = "Zq9-s3cr3t-77f1"
NUMERIC_SECRET = "8675309123"
FORMATS = ("json", "text", "sarif", "github")

# YAML text put where a password goes: the secret must never be printed, whatever its shape.
PASSWORDS = st.sampled_from(
    [
        SECRET,
        f"'{SECRET}'",
        f"!!int {SECRET}",
        f"!!float {SECRET}",
        f"!!binary {SECRET}",
        f"!!timestamp {SECRET}",
        f"!!python/name:{SECRET}",
        f"[{SECRET}]",
        f"{{a: {SECRET}}}",
        f"'{SECRET}\\x1b[0m'",
        f'"{SECRET}\\u0000"',
        NUMERIC_SECRET,
        f"!!str {NUMERIC_SECRET}",
        f"{NUMERIC_SECRET}.0",
        f"'prefix-{SECRET}-${{env:X}}'",
        "${env:KAFKA_PASSWORD}",
        "${file:../token}",
    ]
)

# YAML text put where other values go.
ODD = st.one_of(
    st.sampled_from(
        [
            "2024-02-30",
            "2024-02-28",
            "2024-02-30T25:61:00Z",
            "!!int abc",
            "!!float x",
            "!!timestamp x",
            "!!binary aGk=",
            "!!python/object/apply:os.system [true]",
            "!!set {a: null}",
            ".nan",
            ".inf",
            "-.inf",
            "1e400",
            "9" * 5000,
            "9" * 400,
            "-" + "9" * 30,
            "6.0",
            "3.5",
            "true",
            "off",
            "~",
            "0x1F",
            "0o17",
            "1_000",
            "1:30",
            "[]",
            "{}",
            "&a 3",
            "*nope",
            "7d",
            "1GiB",
            "'\\x1b[31mred'",
            '"\\u202eevil\\u0007"',
            '"line\\nbreak"',
        ]
    ),
    st.text(max_size=30).map(lambda s: json.dumps(s)),  # any characters, as a valid YAML string
)
FIELDS = ("owner", "description", "partitions", "replication_factor", "classification", "name")
CONFIGS = (
    "retention.ms",
    "min.insync.replicas",
    "min.cleanable.dirty.ratio",
    "cleanup.policy",
    "confluent.x",
)


@st.composite
def catalogs(draw: st.DrawFn) -> tuple[dict[str, str], list[str]]:
    kafka_pw, registry_pw, scram_pw = draw(PASSWORDS), draw(PASSWORDS), draw(PASSWORDS)
    settings_yaml = (
        "version: 1\n"
        f"policy:\n  topic_name: {draw(st.sampled_from(['^([a-z.]+)+$', '^(?=x)', '^[a-z.]+$']))!r}\n"
        "  replication_factor: {min: 1}\n"
        "environments:\n  ci:\n    kafka:\n"
        "      bootstrap_servers: '127.0.0.1:1,${env:KGOV_HOSTILE_HOST}'\n"
        f"      password: {kafka_pw}\n"
        f"      ssl_key_password: {draw(PASSWORDS)}\n"
        f"    schema_registry:\n      url: http://r\n      password: {registry_pw}\n"
    )
    topics = ["service: svc", "owner: team", "topics:"]
    for i in range(draw(st.integers(1, 3))):
        fields = {
            "name": f"svc.t{i}",
            "description": "d",
            "partitions": "3",
            "replication_factor": "1",
        }
        for field in draw(st.lists(st.sampled_from(FIELDS), max_size=2, unique=True)):
            fields[field] = draw(ODD)
        topics.append(f"  - name: {fields.pop('name')}")
        topics += [f"    {k}: {v}" for k, v in fields.items()]
        config = draw(st.lists(st.sampled_from(CONFIGS), max_size=2, unique=True))
        if config:
            topics.append("    config:")
            topics += [f"      {key}: {draw(ODD)}" for key in config]
    acls = (
        "service: svc\nprincipal: User:svc\n"
        f"authentication:\n  scram: {{mechanism: SCRAM-SHA-512, password: {scram_pw}}}\n"
        "produces: [svc.t0]\n"
    )
    files = {"kgov.yaml": settings_yaml, "topics/svc.yaml": "\n".join(topics) + "\n", "acls/svc.yaml": acls}
    if draw(st.booleans()):  # a control character or a stray byte in a file name
        files[draw(st.sampled_from(["topics/a\x1b[2J.yaml", "topics/b\u202e.yaml", "acls/c\n.yaml"]))] = (
            "service: [\n"
        )
    specials = draw(
        st.lists(
            st.sampled_from(["leak-topic", "leak-schema", "leak-folder", "loop", "fifo", "inside"]),
            max_size=3,
            unique=True,
        )
    )
    return files, specials


def _build(root: Path, files: dict[str, str], specials: list[str]) -> None:
    outside = root.parent / "token"
    outside.write_text(f"{SECRET}: [\n{NUMERIC_SECRET}\n")
    (root.parent / "private").mkdir()
    (root.parent / "private" / "x.yaml").write_text(f"service: {SECRET}\ntopics: {SECRET}\n")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    (root / "schemas").mkdir(exist_ok=True)
    for special in specials:
        if special == "leak-topic":
            (root / "topics" / "leak.yaml").symlink_to(outside)
        elif special == "leak-schema":
            (root / "schemas" / "leak-value.avsc").symlink_to("../../token")
        elif special == "leak-folder":
            (root / "acls" / "more").symlink_to(root.parent / "private")
            (root / "schemas" / "more.json").symlink_to(root.parent / "private" / "x.yaml")
        elif special == "loop":
            (root / "topics" / "loop.yaml").symlink_to("loop.yaml")
        elif special == "fifo":
            os.mkfifo(root / "topics" / "pipe.yaml")
        elif special == "inside":
            (root / "topics" / "again.yml").symlink_to("svc.yaml")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_hostile_catalogs_never_crash_hang_or_leak(catalog: tuple[dict[str, str], list[str]]) -> None:
    files, specials = catalog
    runner = CliRunner()
    env = {"KGOV_HOSTILE_HOST": SECRET, "KAFKA_PASSWORD": SECRET}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "catalog"
        _build(root, files, specials)
        outputs = {}
        for fmt in FORMATS:
            started = time.monotonic()
            result = runner.invoke(app, ["lint", str(root), "--format", fmt], env=env)
            assert time.monotonic() - started < 10, fmt
            assert result.exit_code in (0, 1), result.output
            outputs[fmt] = result.output
    for fmt, output in outputs.items():
        assert "Traceback" not in output and "internal error" not in output, (fmt, output)
        assert SECRET not in output and NUMERIC_SECRET not in output, (fmt, output)
        assert "\x1b" not in output and "\u202e" not in output, fmt
        output.encode("utf-8")
    doc = json.loads(outputs["json"])
    sarif = json.loads(outputs["sarif"])
    assert len(sarif["runs"][0]["results"]) == len(doc["diagnostics"])
    for d in doc["diagnostics"]:
        assert d["file"] and d["line"] >= 1 and d["column"] >= 1, d
        assert f"{d['file']}:{d['line']}:{d['column']}" in outputs["text"], d
