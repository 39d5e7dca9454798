"""Hostile files in a pull request: symlinks out of the catalog, FIFOs, control characters, odd names.

Whatever a catalog holds, lint reads only regular files inside the catalog folder, quotes at most a
short printable excerpt of any file, and every output format stays valid and free of the secret.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import kgov

REPO = Path(__file__).resolve().parents[3]
FORMATS = ("text", "json", "sarif", "github")
SECRET = "s3cr3t-TOKEN-4be1d0c2"


def _catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", root)
    return root


def _outside(tmp_path: Path, text: str) -> Path:
    secret = tmp_path / "private" / "token"
    secret.parent.mkdir()
    secret.write_text(text)
    return secret


def _lint_all(root: Path) -> dict[str, str]:
    out = {}
    for fmt in FORMATS:
        result = kgov("lint", str(root), "--format", fmt)
        assert result.code == 1, result.output
        assert "Traceback" not in result.output and "internal error" not in result.output
        out[fmt] = result.output
    json.loads(out["json"])
    json.loads(out["sarif"])
    return out


# Content that YAML (and fastavro) error messages would quote: a bad token, a mapping, a plain string.
SECRET_FILES = {
    "yaml-error": f"{SECRET}: [unclosed\n",
    "plain-string": f"{SECRET}\n",
    "mapping": f"service: {SECRET}\ntopics: {SECRET}\n",
}


@pytest.mark.parametrize("content", list(SECRET_FILES.values()), ids=list(SECRET_FILES))
def test_a_symlink_out_of_the_catalog_is_refused_unread(tmp_path: Path, content: str) -> None:
    root = _catalog(tmp_path)
    secret = _outside(tmp_path, content)
    (root / "topics" / "t.yaml").symlink_to(secret)
    (root / "schemas" / "t-value.avsc").symlink_to(secret)
    (root / "acls" / "t.yaml").symlink_to(os.path.relpath(secret, root / "acls"))
    outputs = _lint_all(root)
    for fmt, output in outputs.items():
        assert SECRET not in output, fmt
    diags = json.loads(outputs["json"])["diagnostics"]
    for name in ("topics/t.yaml", "acls/t.yaml", "schemas/t-value.avsc"):
        found = [d for d in diags if d["file"].endswith(f"catalog/{name}")]
        assert found, name
        assert (found[0]["rule"], found[0]["line"], found[0]["column"]) == ("files", 1, 1)
        assert "outside the catalog folder" in found[0]["message"]


def test_a_folder_symlinked_out_of_the_catalog_is_refused(tmp_path: Path) -> None:
    root = _catalog(tmp_path)
    secret = _outside(tmp_path, f"{SECRET}: [\n")
    shutil.rmtree(root / "acls")
    (root / "acls").symlink_to(secret.parent)
    (secret.parent / "x.yaml").write_text(f"{SECRET}: [\n")
    outputs = _lint_all(root)
    assert all(SECRET not in o for o in outputs.values())
    assert "acls is a symlink to a folder outside the catalog folder" in outputs["text"]


def test_a_symlink_inside_the_catalog_is_followed(tmp_path: Path) -> None:
    root = _catalog(tmp_path)
    (root / "shared").mkdir()
    (root / "topics" / "orders.yaml").rename(root / "shared" / "orders.yaml")
    (root / "topics" / "orders.yaml").symlink_to("../shared/orders.yaml")
    result = kgov("lint", str(root))
    assert result.code == 0, result.output


def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    root = _catalog(tmp_path)
    os.mkfifo(root / "topics" / "pipe.yaml")
    proc = subprocess.run(
        [sys.executable, "-m", "kgov", "lint", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "300"},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "catalog/topics/pipe.yaml:1:1" in proc.stdout
    assert "not a regular file" in proc.stdout


def test_control_characters_from_a_file_never_reach_any_output_raw(tmp_path: Path) -> None:
    root = _catalog(tmp_path)
    evil = "\\x1b[2J\\x1b]8;;http://x\\x07 forged\\u202e"  # YAML escapes: YAML decodes them
    (root / "topics" / "evil.yaml").write_text(f'service: evil\n"{evil}": 1\n"{evil}": 2\ntopics: []\n')
    (root / "topics" / "evil2.yaml").write_text(f'service: evil2\ntopics:\n  - name: "{evil}"\n')
    outputs = _lint_all(root)
    for fmt, output in outputs.items():
        assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output, fmt
    assert "duplicate key '\\x1b[2J" in outputs["text"]  # shown, escaped


def test_a_non_utf8_file_name_keeps_json_and_sarif_valid(tmp_path: Path) -> None:
    root = _catalog(tmp_path)
    name = os.fsdecode(b"bad\xff.yaml")
    (root / "topics" / name).write_text("service: [\n")
    outputs = _lint_all(root)
    for fmt in ("json", "sarif"):
        outputs[fmt].encode("utf-8")  # valid UTF-8: no lone surrogate survived
    assert "topics/bad\\xff.yaml:" in outputs["text"]
    sarif = json.loads(outputs["sarif"])
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]
    ]
    assert any(uri.endswith("bad%FF.yaml") for uri in uris), uris


def test_an_unreadable_folder_is_one_diagnostic_and_the_rest_is_linted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _catalog(tmp_path)
    listing = Path.iterdir

    def iterdir(self: Path) -> Iterator[Path]:
        if self.name == "acls":  # what chmod 000 does (tests may run as root, who reads anything)
            raise PermissionError(13, "Permission denied")
        return listing(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    (root / "topics" / "orders.yaml").write_text("service: [\n")
    result = kgov("lint", str(root), "--format", "json")
    assert result.code == 1
    found = {
        (d["rule"], d["file"].rsplit("catalog/", 1)[1], d["line"])
        for d in json.loads(result.stdout)["diagnostics"]
    }
    assert ("files", "acls", 1) in found  # the folder, with its reason
    assert ("yaml", "topics/orders.yaml", 2) in found  # and the other files' diagnostics still
    assert "cannot list acls/: Permission denied" in kgov("lint", str(root)).output
