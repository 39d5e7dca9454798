"""The composite action's scripts, run for real: review outputs in a git repository with two
commits, and ONE pull-request comment found by its marker and updated (a fake `gh` records calls
and lists the comments as `gh api --paginate` prints them: JSON arrays)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.gitrepo import ENV, commit, init
from tests.support import topic_doc, write_catalog

REPO = Path(__file__).resolve().parents[2]

FAKE_GH = """#!/usr/bin/env bash
echo "$*" >> "$GH_LOG"
if [ "$1 $2" = "api --paginate" ]; then
  if [ -f "$GH_STATE" ]; then cat "$GH_STATE"; else echo '[]'; fi
  exit 0
fi
if [ "$3" = POST ]; then
  python -c 'import json, sys; print(json.dumps([{"id": 4242, "user": {"type": "Bot"},
    "body": open(sys.argv[1]).read()}]))' "${6#body=@}" > "$GH_STATE"
fi
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    (bin_dir / "kgov").write_text(f'#!/usr/bin/env bash\nexec {sys.executable} -m kgov "$@"\n')
    (bin_dir / "kgov").chmod(0o755)
    if not (bin_dir / "python").exists():
        (bin_dir / "python").symlink_to(sys.executable)
    return {
        **ENV,
        "PATH": f"{bin_dir}:{ENV['PATH']}",
        "PYTHONPATH": str(REPO),
        "HOME": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "github_output"),
        "GITHUB_REPOSITORY": "acme/platform",
        "GITHUB_SHA": "0123456789abcdef",
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_RUN_ID": "7",
        "GH_LOG": str(tmp_path / "gh.log"),
        "GH_STATE": str(tmp_path / "gh.state"),
        **extra,
    }


def _review_env(tmp_path: Path, base: str) -> dict[str, str]:
    """The review step's inputs for a pull request against `base`, without an environment."""
    return _env(
        tmp_path,
        KGOV_CATALOG="catalog",
        KGOV_ENV="",
        KGOV_BASE=base,
        KGOV_SCOPED="true",
        KGOV_SNAPSHOT="",
        KGOV_ALLOW_DELETE="false",
        KGOV_PR="12",
    )


def _outputs(tmp_path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in (tmp_path / "github_output").read_text().splitlines())


def _run(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(REPO / "action" / script)], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_review_then_one_comment_updated_on_the_next_push(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    cat = write_catalog(repo / "catalog", {"orders": [topic_doc("orders.a", 4)]})
    base = commit(repo, "base")
    write_catalog(cat, {"orders": [topic_doc("orders.a", 2), topic_doc("orders.b")]})
    commit(repo, "pull request")
    env = _review_env(tmp_path, base)
    review = _run("review.sh", repo, env)
    assert review.returncode == 0, review.stderr
    outputs = _outputs(tmp_path)
    assert outputs == {"lint": "0", "diff-class": "breaking"}
    assert "partitions 4 → 2" in (repo / "kgov-out/diff.md").read_text()
    assert (repo / "kgov-out/diff.sarif").is_file() and (repo / "kgov-out/lint.sarif").is_file()

    first = _run("comment.sh", repo, env)
    second = _run("comment.sh", repo, env)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    calls = (tmp_path / "gh.log").read_text().splitlines()
    assert [c.split()[2] for c in calls if c.startswith("api --method")] == ["POST", "PATCH"]
    assert "repos/acme/platform/issues/comments/4242" in calls[-1]
    body = (repo / "kgov-out/comment.md").read_text()
    assert body.startswith("<!-- kgov-review:catalog -->\n### kgov diff against")

    verdict = _run(
        "verdict.sh",
        repo,
        {**env, "KGOV_FAIL_ON": "breaking", "KGOV_LINT": "0", "KGOV_DIFF_CLASS": "breaking"},
    )
    assert verdict.returncode == 1 and "fail-on: breaking" in verdict.stdout
    calm = _run(
        "verdict.sh", repo, {**env, "KGOV_FAIL_ON": "attention", "KGOV_LINT": "0", "KGOV_DIFF_CLASS": "safe"}
    )
    assert calm.returncode == 0


def test_the_action_runs_only_scripts_that_exist_and_passes_inputs_through_the_environment() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    for step in action["runs"]["steps"]:
        run = step.get("run", "")
        assert "${{" not in run  # inputs reach scripts as variables, never spliced into the script
        if "action/" in run:
            script = run.split("$GITHUB_ACTION_PATH/")[1].rstrip('"')
            assert (REPO / script).is_file()
    assert os.access(REPO / "action" / "review.sh", os.R_OK)


def test_review_lints_schemas_against_the_base(tmp_path: Path) -> None:
    # The pull request removes a field without a default from a BACKWARD subject: lint --base flags it.
    repo = init(tmp_path / "repo")
    topic = {**topic_doc("orders.a"), "value_schema": "orders.a-value"}
    cat = write_catalog(repo / "catalog", {"orders": [topic]})
    (cat / "schemas").mkdir()
    record = {"type": "record", "name": "A", "fields": [{"name": "id", "type": "string"}]}
    (cat / "schemas" / "orders.a-value.avsc").write_text(json.dumps(record))
    base = commit(repo, "base")
    record["fields"].append({"name": "amount", "type": "long"})  # new field, no default: breaks readers
    (cat / "schemas" / "orders.a-value.avsc").write_text(json.dumps(record))
    commit(repo, "pull request")
    review = _run("review.sh", repo, _review_env(tmp_path, base))
    assert review.returncode == 0, review.stderr
    outputs = _outputs(tmp_path)
    assert outputs["lint"] == "1"
    assert "schema-incompatible" in review.stdout  # the annotation
    assert "schema-incompatible" in (repo / "kgov-out/lint.sarif").read_text()
