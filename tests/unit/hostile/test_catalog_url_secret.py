"""Issue 18, probe hole 21: a password inside the registry URL or bootstrap_servers is a literal secret
(a lint error, never repeated) and, resolved from a reference at connect time, refused, not dropped."""

from __future__ import annotations

import pytest

from kgov.catalog.model import Environment, Source
from kgov.catalog.yamlpos import YamlDoc
from kgov.cluster.registry.adapter import registry_settings
from kgov.errors import ConfigError


def _env(url: str) -> Environment:
    source = Source("kgov.yaml", YamlDoc({}, {}))
    return Environment(source, ("environments", "prod"), "prod", {}, {"url": url})


@pytest.mark.parametrize("url", ["https://u:Hunter2Secret@registry.example/", "http://Hunter2Secret@r:8081"])
def test_user_information_in_the_registry_url_is_refused_unshown(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("T_SR_URL", url)
    with pytest.raises(ConfigError) as info:
        registry_settings(_env("${env:T_SR_URL}"))
    shown = f"{info.value.message} {info.value.hint}"
    assert "user information" in shown and "Hunter2Secret" not in shown


def test_a_url_without_user_information_connects() -> None:
    assert registry_settings(_env("https://registry.example:8081/api")).url == "https://registry.example:8081/api"
