"""The bad-input corpus (tests/corpus/*.yaml, cases.yaml describes the format): every broken catalog
gives exit 1, names the file and the line, and never a traceback; the expected diagnostic is found in
the JSON output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from kgov.cli import app

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "catalog"
CORPUS = sorted((REPO / "tests" / "corpus").glob("*.yaml"))  # each file: {cases: [...]}, names unique
CASES = [case for path in CORPUS for case in yaml.safe_load(path.read_text("utf-8"))["cases"]]


def _generate(kind: str, path: Path) -> None:
    if kind == "non_utf8":
        raw = path.read_bytes().replace(b"owner: team-orders", b"owner: team-\xff\xfeorders", 1)
        path.write_bytes(raw)
    elif kind == "big":
        line = b"# " + b"x" * 1021 + b"\n"
        with path.open("wb") as out:
            for _ in range(50 * 1024):
                out.write(line)
    elif kind == "deep":
        path.write_text("service: deep\ntopics: " + "[" * 200 + "]" * 200 + "\n", "utf-8")
    elif kind == "huge_int":  # 5,000 digits: past Python's int-from-text limit
        text = path.read_text("utf-8")
        path.write_text(text.replace("    partitions: 6\n", f"    partitions: {'9' * 5000}\n", 1), "utf-8")
    elif kind == "huge_retention":  # 400 digits: past any float
        text = path.read_text("utf-8")
        path.write_text(text.replace("retention.ms: 7d", f"retention.ms: {'9' * 400}", 1), "utf-8")
    elif kind == "unknown_keys":  # 5 MiB of unknown keys: one structure error each
        with path.open("w", encoding="utf-8") as out:
            out.write("service: extra\nowner: team-extra\ntopics: []\n")
            for i in range(5 * 1024 * 1024 // 32):
                out.write(f"unknown_key_{i:08d}: value\n")
    elif kind == "non_utf8_name":
        (path.parent / os.fsdecode(b"bad\xff.yaml")).write_text("service: [\n", "utf-8")
    elif kind == "bomb":
        lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
            lines.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
        path.write_text("\n".join(lines) + "\n", "utf-8")
    else:  # pragma: no cover - a typo in cases.yaml
        raise ValueError(kind)


def mutate(root: Path, ops: list[dict[str, Any]]) -> None:
    for op in ops:
        if "replace" in op:
            path = root / op["replace"]
            text = path.read_text("utf-8")
            assert op["old"] in text, f"{op['old']!r} not in {op['replace']}"
            path.write_text(text.replace(op["old"], op["new"], 1), "utf-8")
        elif "write" in op:
            (root / op["write"]).write_text(op["text"], "utf-8")
        elif "append" in op:
            with (root / op["append"]).open("a", encoding="utf-8") as out:
                out.write(op["text"])
        elif "delete" in op:
            target = root / op["delete"]
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        elif "mkdir" in op:
            (root / op["mkdir"]).mkdir(exist_ok=True)  # the example may have it (cluster/)
        elif "symlink" in op:
            os.symlink(op["to"], root / op["symlink"])
        elif "outside" in op:  # a file next to the catalog folder, not in it
            (root.parent / op["outside"]).write_text(op["text"], "utf-8")
        elif "fifo" in op:
            os.mkfifo(root / op["fifo"])
        elif "generate" in op:
            _generate(op["generate"], root / op["file"])
        else:  # pragma: no cover - a typo in cases.yaml
            raise ValueError(op)


def test_corpus_is_large_and_names_are_unique() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) >= 60
    assert len(set(names)) == len(names)


def test_example_catalog_is_clean() -> None:
    result = CliRunner().invoke(app, ["lint", str(EXAMPLE), "--strict"])
    assert result.exit_code == 0, result.output
    assert "catalog is clean" in result.stdout


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(case: dict[str, Any], tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    mutate(root, case["mutate"])
    expect = case["expect"]
    extra = ["--strict"] if case.get("strict") else []
    runner = CliRunner()

    as_json = runner.invoke(app, ["lint", str(root), "--format", "json", *extra])
    assert as_json.exit_code == 1, as_json.output
    found = json.loads(as_json.stdout)["diagnostics"]
    wanted = [
        d
        for d in found
        if d["rule"] == expect["rule"]
        and d["file"].endswith(f"catalog/{expect['file']}")
        and d["line"] == expect["line"]
    ]
    assert wanted, f"no {expect['rule']} at {expect['file']}:{expect['line']} in {found}"
    hit = wanted[0]
    assert hit["severity"] == expect.get("severity", "error")
    for text in expect.get("message_has", []):
        assert text in hit["message"], hit
    assert hit["hint"], "every diagnostic carries a hint"

    as_text = runner.invoke(app, ["lint", str(root), *extra])
    assert as_text.exit_code == 1
    output = as_text.output
    assert "Traceback" not in output and "internal error" not in output
    assert f"catalog/{expect['file']}:{expect['line']}:" in output
    for secret in expect.get("never_shows", []):
        assert secret not in output and secret not in as_json.output


# Runs argv[1:] with a 60 s bound (a hang is killed and fails) and writes its exit code and peak
# memory (KiB, from wait4) to $KGOV_MEASURED_TO.
_MEASURED = """
import json, os, subprocess, sys, threading
proc = subprocess.Popen(sys.argv[1:])
timer = threading.Timer(60, proc.kill)
timer.start()
_, status, usage = os.wait4(proc.pid, 0)
timer.cancel()
proc.returncode = os.waitstatus_to_exitcode(status)
with open(os.environ["KGOV_MEASURED_TO"], "w") as out:
    json.dump({"code": proc.returncode, "maxrss": usage.ru_maxrss}, out)
"""

SUBPROCESS_CASES = [
    "alias-bomb",
    "fifty-megabytes",
    "deeply-nested",
    "symlink-loop",
    "non-utf8",
    "fifo-named-like-a-topics-file",
    "redos-policy-regex",
    "five-megabytes-of-unknown-keys",
]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_bad_input_in_a_real_process(name: str, tmp_path: Path) -> None:
    """A few hostile cases through `python -m kgov`: a real process, bounded in time and memory."""
    case = next(c for c in CASES if c["name"] == name)
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    mutate(root, case["mutate"])
    with (tmp_path / "out").open("w+") as out, (tmp_path / "err").open("w+") as err:
        # Through a small launcher: a child forked from pytest counts pytest's own memory in its peak
        # (Linux keeps the larger of the two across exec), so the launcher's child is the one measured.
        launcher = subprocess.run(
            [sys.executable, "-c", _MEASURED, sys.executable, "-m", "kgov", "lint", str(root)],
            stdout=out,
            stderr=err,
            env={**os.environ, "KGOV_MEASURED_TO": str(tmp_path / "measured.json")},
            timeout=120,
            check=False,
        )
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    assert launcher.returncode == 0, stderr
    measured = json.loads((tmp_path / "measured.json").read_text("utf-8"))
    code, peak_kib = measured["code"], measured["maxrss"]
    assert code == 1, stdout + stderr
    assert "Traceback" not in stdout + stderr
    expect = case["expect"]
    assert f"catalog/{expect['file']}:{expect['line']}:" in stdout
    assert peak_kib < 300 * 1024, f"{name} used {peak_kib // 1024} MB"
