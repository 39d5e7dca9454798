"""The action's `environments` input: one plan run for several environments, ONE comment (marker
`estate`), the list checked name by name before any command sees it."""

from __future__ import annotations

from pathlib import Path

from tests.gitrepo import commit, init
from tests.support import SETTINGS, topic_doc, write_catalog
from tests.unit.test_github_action import _env, _outputs, _run

ONE = SETTINGS["environments"]["local"]["kafka"]


def _repo(tmp_path: Path) -> tuple[Path, str]:
    repo = init(tmp_path / "repo")
    environments = {"dev": {"kafka": ONE}, "prod-eu": {"kafka": ONE}}
    cat = write_catalog(repo / "catalog", {"orders": [topic_doc("orders.a")]}, environments=environments)
    base = commit(repo, "base")
    write_catalog(cat, {"orders": [topic_doc("orders.a"), topic_doc("orders.b")]}, environments=environments)
    commit(repo, "pull request")
    return repo, base


def _review_env(tmp_path: Path, base: str, envs: str) -> dict[str, str]:
    return _env(
        tmp_path,
        KGOV_CATALOG="catalog",
        KGOV_ENV="",
        KGOV_ENVS=envs,
        KGOV_BASE=base,
        KGOV_SCOPED="true",
        KGOV_SNAPSHOT="",
        KGOV_ALLOW_DELETE="false",
        KGOV_PR="12",
    )


def test_several_environments_make_one_plan_and_one_comment(tmp_path: Path) -> None:
    repo, base = _repo(tmp_path)
    env = _review_env(tmp_path, base, "dev,\nprod-eu")
    review = _run("review.sh", repo, env)
    assert review.returncode == 0, review.stderr
    plan = (repo / "kgov-out/plan.md").read_text()
    # no cluster here (KGOV_BOOTSTRAP_SASL unset): both sections say what failed, in one report
    assert plan.startswith("## kgov plan: 2 environments")
    assert "| <code>dev</code> | ⛔ failed |" in plan and "| <code>prod\\-eu</code> | ⛔ failed |" in plan
    assert _outputs(tmp_path)["plan"] == "1"
    comment = _run("comment.sh", repo, env)
    assert comment.returncode == 0, comment.stderr
    body = (repo / "kgov-out/comment.md").read_text()
    assert body.startswith("<!-- kgov-review:estate -->") and body.count("## kgov plan: 2 environments") == 1


def test_every_name_of_the_list_is_checked(tmp_path: Path) -> None:
    repo, base = _repo(tmp_path)
    review = _run("review.sh", repo, _review_env(tmp_path, base, "dev --all-environments"))
    assert review.returncode == 1
    assert "the environments input has '--all-environments'" in review.stdout
    assert not (repo / "kgov-out/plan.md").exists()
