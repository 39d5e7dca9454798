"""Hypothesis: random edits of a valid catalog never make lint crash (no traceback, exit 0 or 1)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kgov.cli import app
from tests.support import node_paths

EXAMPLE = Path(__file__).resolve().parents[2] / "catalog"
FILES = {str(p.relative_to(EXAMPLE)): p.read_text("utf-8") for p in sorted(EXAMPLE.rglob("*")) if p.is_file()}
YAML_FILES = sorted(f for f in FILES if f.endswith(".yaml"))
ALL_FILES = sorted(FILES)

# Fragments that matter to YAML, JSON and kgov; plus arbitrary text.
FRAGMENTS = st.one_of(
    st.sampled_from(
        [
            ":",
            ": ",
            "-",
            "- ",
            " ",
            "  ",
            "\n",
            "\t",
            "[",
            "]",
            "{",
            "}",
            ",",
            "'",
            '"',
            "#",
            "&a ",
            "*a",
            "!!",
            "!!python/name:os.system",
            "<<: ",
            "---\n",
            "...",
            "?",
            "|",
            ">",
            "%",
            "@",
            "`",
            "\\",
            "${env:",
            "}",
            "0",
            "-1",
            "1e400",
            ".nan",
            "null",
            "~",
            "true",
            "off",
            "é",
            "\u2028",
            "\x00",
            "\ufeff",
            "orders.created",
            "min.insync.replicas",
            "cleanup.policy",
            "User:*",
            "pii",
        ]
    ),
    st.text(max_size=12),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["orders.created", "compact", "7d", "${env:X}", "User:*", "pii", "", "1GiB"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def text_edits(draw: st.DrawFn) -> dict[str, str]:
    files = dict(FILES)
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(ALL_FILES))
        text = files[name]
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 8))
        files[name] = text[:at] + draw(FRAGMENTS) + text[at + cut :]
    return files


@st.composite
def structural_edits(draw: st.DrawFn) -> dict[str, str]:
    files = dict(FILES)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(YAML_FILES))
        data = yaml.safe_load(files[name])
        path = draw(st.sampled_from(node_paths(data)[1:]))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        action = draw(st.sampled_from(["replace", "delete", "rename", "duplicate"]))
        if action == "replace":
            parent[last] = draw(VALUES)
        elif action == "delete":
            del parent[last]
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = parent.pop(last)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(parent[last])
        files[name] = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return files


def _lint(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "catalog"
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        result = CliRunner().invoke(app, ["lint", str(root), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert "internal error" not in result.output and "Traceback" not in result.output, result.output
    doc = json.loads(result.stdout)
    assert (result.exit_code == 1) == (doc["summary"]["errors"] > 0)
    for d in doc["diagnostics"]:
        assert d["line"] >= 1 and d["column"] >= 1 and d["rule"] and d["message"]


FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(text_edits())
def test_random_text_edits_never_crash_lint(files: dict[str, str]) -> None:
    _lint(files)


@FUZZ
@given(structural_edits())
def test_random_structural_edits_never_crash_lint(files: dict[str, str]) -> None:
    _lint(files)
