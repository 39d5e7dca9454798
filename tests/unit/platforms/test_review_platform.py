"""`kgov diff` (the review of a change) points at an environment's platform changing: the profile
decides which topic configs kgov ignores there and which values count as the platform's defaults."""

from __future__ import annotations

from pathlib import Path

from kgov.catalog.load import load_catalog
from kgov.review.model import ATTENTION
from kgov.review.settings import settings_changes

SETTINGS = "version: 1\nenvironments:\n  prod:\n{platform}    kafka: {{bootstrap_servers: 'k:9092'}}\n"


def catalog(root: Path, platform: str | None) -> Path:
    root.mkdir()
    line = "" if platform is None else f"    platform: {platform}\n"
    (root / "kgov.yaml").write_text(SETTINGS.format(platform=line), encoding="utf-8")
    return root


def changes(tmp_path: Path, base: str | None, head: str | None) -> list[tuple[str, list[str]]]:
    old = load_catalog(catalog(tmp_path / "base", base)).catalog
    new = load_catalog(catalog(tmp_path / "head", head)).catalog
    return [
        (c.address, [f"{r.code}:{r.level}:{r.message}" for r in c.reasons])
        for c in settings_changes(new, old, lambda f: f)
    ]


def test_a_platform_change_needs_attention(tmp_path: Path) -> None:
    ((address, (reason,)),) = changes(tmp_path, None, "aiven")
    assert address == "settings.environments.prod.platform"
    assert reason.startswith(f"platform-changed:{ATTENTION}:environment prod: platform apache → aiven")


def test_no_change_no_entry(tmp_path: Path) -> None:
    assert changes(tmp_path, "msk", "msk") == []
