#!/usr/bin/env bash
# One pull-request comment per environment, found again by a hidden marker and updated on each push
# (never a second one). GitHub limits a comment to 65,536 characters: longer bodies are cut.
set -euo pipefail
# shellcheck source=action/lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
if [ -n "${KGOV_ENV:-}" ] && ! valid_env "$KGOV_ENV"; then
  fail "the environment input '$KGOV_ENV' is not an environment name: no comment posted"
fi
# several environments (the environments input) share one comment: their plans are one report
if [ -n "${KGOV_ENVS:-}" ]; then marker="<!-- kgov-review:estate -->"; else marker="<!-- kgov-review:${KGOV_ENV:-catalog} -->"; fi
body=kgov-out/comment.md
{
  echo "$marker"
  if [ -s kgov-out/diff.md ]; then cat kgov-out/diff.md; echo; fi
  if [ -s kgov-out/plan.md ]; then cat kgov-out/plan.md; echo; fi
  echo "<sub>kgov · commit ${GITHUB_SHA:0:12} · [run](${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID})</sub>"
} > "$body.full"
if [ "$(wc -c < "$body.full")" -gt 65000 ]; then
  { head -c 64000 "$body.full"; echo; echo; echo "… cut: the full output is in the run's log and artifacts."; } > "$body"
else
  mv "$body.full" "$body"
fi
# The marker is data for the filter (an argument), never part of a query; only a comment by a bot or
# by someone with write access counts (untrusted.py comment-id)
existing=$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$KGOV_PR/comments" |
  python "$action_dir/untrusted.py" comment-id "$marker")
if [ -n "$existing" ]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$existing" -F "body=@$body" > /dev/null
  echo "updated comment $existing"
else
  gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$KGOV_PR/comments" -F "body=@$body" > /dev/null
  echo "posted a comment"
fi
