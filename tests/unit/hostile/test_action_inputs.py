"""Hole 22 and the action's part of hole 6: hostile inputs and kgov messages in the composite action.

A base ref that is an option (`--upload-pack=CMD` runs CMD with a local origin), an environment
name that tries to rewrite the comment filter, a comment that fakes the marker, and stderr with
backtick fences, ESC and workflow commands: each must stay data (action/lib.sh, action/untrusted.py).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from markdown_it import MarkdownIt

from tests.gitrepo import commit, git, init
from tests.support import topic_doc, write_catalog
from tests.unit.test_github_action import REPO, _outputs, _review_env

ESC = "\x1b"


def _repo(tmp_path: Path) -> tuple[Path, str]:
    """A pull request's clone with a local `origin`: the setting where git fetch runs --upload-pack."""
    origin = init(tmp_path / "origin")
    write_catalog(origin / "catalog", {"orders": [topic_doc("orders.a")]})
    base = commit(origin, "base")
    repo = tmp_path / "repo"
    git(tmp_path, "clone", "-q", str(origin), str(repo))
    return repo, base


def _run(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The script as the runner runs it, stdout and stderr in one log, in order."""
    return subprocess.run(
        ["bash", str(REPO / "action" / script)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _commands(log: str) -> list[str]:
    """The lines GitHub reads as workflow commands: those starting with `::`, outside the stretches
    between `::stop-commands::TOKEN` and `::TOKEN::`."""
    commands, stop = [], None
    for line in log.splitlines():
        if stop is not None:
            if line == f"::{stop}::":
                stop = None
            continue
        if line.startswith("::stop-commands::"):
            stop = line.removeprefix("::stop-commands::")
        elif line.startswith("::"):
            commands.append(line)
    return commands


def test_a_base_ref_that_is_an_option_runs_nothing(tmp_path: Path) -> None:
    repo, _ = _repo(tmp_path)
    marker = tmp_path / "pwned"
    env = _review_env(tmp_path, f"--upload-pack=touch {marker}")
    review = _run("review.sh", repo, env)
    assert not marker.exists()
    assert review.returncode == 1
    [error] = _commands(review.stdout)
    assert error.startswith("::error::the base input '--upload-pack=touch ")
    assert not (tmp_path / "github_output").exists()  # refused before lint, diff or plan ran


def test_the_fetch_ends_options_before_the_ref(tmp_path: Path) -> None:
    # the base is a commit of origin the clone has not fetched: `git fetch -- origin SHA` brings it
    repo, _ = _repo(tmp_path)
    origin = tmp_path / "origin"
    git(origin, "checkout", "-q", "-b", "feature")
    write_catalog(origin / "catalog", {"orders": [topic_doc("orders.a"), topic_doc("orders.b")]})
    base = commit(origin, "feature")
    review = _run("review.sh", repo, _review_env(tmp_path, base))
    assert review.returncode == 0, review.stdout
    assert _outputs(tmp_path)["diff-class"] == "breaking"  # the clone lacks orders.b: a removal
    assert git(repo, "rev-parse", "FETCH_HEAD") == base


def test_a_base_ref_with_escapes_and_newlines_is_refused_and_shown_escaped(tmp_path: Path) -> None:
    repo, _ = _repo(tmp_path)
    env = _review_env(tmp_path, f"main{ESC}[31m\n::error::forged %0A")
    review = _run("review.sh", repo, env)
    assert review.returncode == 1
    assert ESC not in review.stdout
    [error] = _commands(review.stdout)
    assert "main\\x1b[31m\\n::error::forged %250A" in error


def test_an_environment_name_cannot_rewrite_the_comment_filter(tmp_path: Path) -> None:
    repo, base = _repo(tmp_path)
    hostile = 'prod -->")) or true | .id, ("'
    env = {**_review_env(tmp_path, base), "KGOV_ENV": hostile}
    for script in ("review.sh", "comment.sh"):
        run = _run(script, repo, env)
        assert run.returncode == 1
        [error] = _commands(run.stdout)
        assert "is not an environment name" in error
    assert not (tmp_path / "gh.log").exists()  # no comment read, edited or posted


def _comment(cid: int, body: str, *, user: str = "Bot", association: str = "NONE") -> dict[str, object]:
    return {"id": cid, "body": body, "user": {"type": user}, "author_association": association}


def test_the_comment_updated_is_ours_for_this_environment(tmp_path: Path) -> None:
    repo, base = _repo(tmp_path)
    env = {**_review_env(tmp_path, base), "KGOV_ENV": "prod"}
    # two pages, as gh api --paginate prints them: an outsider's fake marker first, then kgov's
    # comment for another environment, then kgov's own for prod
    pages = [
        [_comment(1001, "<!-- kgov-review:prod --> looks fine", user="User", association="CONTRIBUTOR")],
        [_comment(1002, "<!-- kgov-review:dev -->\nplan"), _comment(1003, "<!-- kgov-review:prod -->\nplan")],
    ]
    (tmp_path / "gh.state").write_text("".join(json.dumps(p) for p in pages))
    (repo / "kgov-out").mkdir()
    run = _run("comment.sh", repo, env)
    assert run.returncode == 0, run.stdout
    [patch] = [c for c in (tmp_path / "gh.log").read_text().splitlines() if c.startswith("api --method")]
    assert patch.split()[2:4] == ["PATCH", "repos/acme/platform/issues/comments/1003"]


HOSTILE_STDERR = (
    "error: the plan failed\n"
    "```\n"
    "::error file=catalog/kgov.yaml::forged annotation\n"
    f"{ESC}[31mred{ESC}]52;c;aGk={ESC}\\ \u202egnirts\n"
    "`````` six, then a wrapped line:\n"
    "``` \n"
    "end of stderr\n"
)


def test_kgov_stderr_stays_inside_the_comment_fence_and_the_log_runs_no_command(tmp_path: Path) -> None:
    repo, _ = _repo(tmp_path)
    fake = tmp_path / "bin" / "kgov-real"
    env = {**_review_env(tmp_path, ""), "KGOV_ENV": "prod"}
    (tmp_path / "bin").mkdir(exist_ok=True)
    (tmp_path / "stderr.txt").write_text(HOSTILE_STDERR)
    # kgov plan fails with hostile stderr; everything else is the real kgov (bin/kgov, from _env)
    fake.write_text(
        f'#!/usr/bin/env bash\nif [ "$1" = plan ]; then cat {tmp_path / "stderr.txt"} >&2; exit 1; fi\n'
        f'exec {tmp_path / "bin" / "kgov"} "$@"\n'
    )
    fake.chmod(0o755)
    (tmp_path / "shim").mkdir()
    (tmp_path / "shim" / "kgov").symlink_to(fake)
    env["PATH"] = f"{tmp_path / 'shim'}:{env['PATH']}"
    review = _run("review.sh", repo, env)
    assert review.returncode == 0, review.stdout
    assert _outputs(tmp_path)["plan"] == "1"
    # the job log: the forged annotation is shown between stop-commands markers, escaped
    assert "forged annotation" in review.stdout
    assert not any("forged" in c for c in _commands(review.stdout))
    assert ESC not in review.stdout
    # the comment: ONE code block holds all of stderr, the heading stays outside it
    plan_md = (repo / "kgov-out" / "plan.md").read_text()
    assert ESC not in plan_md and "\u202e" not in plan_md
    tokens = [t for t in MarkdownIt("commonmark").parse(plan_md) if t.type == "fence"]
    assert len(tokens) == 1
    inside = tokens[0].content
    for line in ("error: the plan failed", "```", "::error file=catalog/kgov.yaml::forged annotation"):
        assert line in inside.splitlines()
    assert inside.rstrip("\n").endswith("end of stderr")
    assert "\\x1b[31mred\\x1b]52;c;aGk=\\x1b\\ \\u202egnirts" in inside
    assert re.match(r"### kgov plan failed\n\n`{7,}text\n", plan_md)


APPLY_GH = """#!/usr/bin/env bash
echo "$*" >> "$GH_LOG"
case "$1 $2" in
  "api repos/acme/platform/commits/"*) echo 12 ;;
  "api repos/acme/platform/pulls/12") echo feedface ;;
  "run list") echo 77 ;;
  "run download") mkdir -p kgov-reviewed && echo '{}' > kgov-reviewed/plan.json ;;
esac
"""


def _apply_env(tmp_path: Path, environment: str) -> dict[str, str]:
    env = {**_review_env(tmp_path, ""), "KGOV_ENV": environment, "KGOV_REVIEW_WORKFLOW": "kgov-review.yml"}
    shim = tmp_path / "apply-bin"
    shim.mkdir()
    (shim / "gh").write_text(APPLY_GH)
    # kgov apply that prints what a hostile plan or catalog could make it print
    (shim / "kgov").write_text(
        "#!/usr/bin/env bash\necho '::error file=x::forged'; echo '::add-mask::x' >&2; exit 3\n"
    )
    for tool in ("gh", "kgov"):
        (shim / tool).chmod(0o755)
    env["PATH"] = f"{shim}:{env['PATH']}"
    return env


def test_apply_refuses_a_hostile_environment_before_any_call(tmp_path: Path) -> None:
    run = _run("apply.sh", tmp_path, _apply_env(tmp_path, "prod\n::error::x"))
    assert run.returncode == 1
    [error] = _commands(run.stdout)
    assert "prod\\n::error::x" in error
    assert not (tmp_path / "gh.log").exists()


def test_apply_output_is_no_workflow_command_and_its_status_is_kept(tmp_path: Path) -> None:
    run = _run("apply.sh", tmp_path, _apply_env(tmp_path, "prod"))
    assert run.returncode == 3
    assert "::error file=x::forged" in run.stdout.splitlines()
    assert _commands(run.stdout) == []
    assert "run download 77 --repo acme/platform --name kgov-plan-prod" in (tmp_path / "gh.log").read_text()
