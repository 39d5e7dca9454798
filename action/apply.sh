#!/usr/bin/env bash
# After a merge: find the pull request of this commit, download the plan its review run saved, and
# apply exactly it. kgov apply re-plans from this commit's catalog and the live cluster and refuses
# the plan if anything it covers changed since the review (then: re-run the review, merge again).
set -euo pipefail
# shellcheck source=action/lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
if [ -z "${KGOV_ENV:-}" ] && [ -z "${KGOV_ENVS:-}" ]; then
  fail "the apply mode needs the environment input (or environments: the plan of several reviewed together)"
fi
if [ -n "${KGOV_ENV:-}" ] && ! valid_env "$KGOV_ENV"; then
  fail "the environment input '$KGOV_ENV' is not an environment name: letters, digits, '.', '_' and '-', at most 64, starting with a letter or digit"
fi
pr=$(gh api "repos/$GITHUB_REPOSITORY/commits/$GITHUB_SHA/pulls" --jq '.[0].number // empty')
if [ -z "$pr" ]; then
  echo "::error::commit $GITHUB_SHA belongs to no pull request: nothing reviewed to apply"
  exit 1
fi
head=$(gh api "repos/$GITHUB_REPOSITORY/pulls/$pr" --jq .head.sha)
run=$(gh run list --repo "$GITHUB_REPOSITORY" --workflow="$KGOV_REVIEW_WORKFLOW" --commit "$head" \
  --status success --limit 1 --json databaseId --jq '.[0].databaseId // empty')
if [ -z "$run" ]; then
  fail "no successful $KGOV_REVIEW_WORKFLOW run for pull request #$pr at $head: no reviewed plan"
fi
mkdir -p kgov-reviewed
if [ -n "${KGOV_ENVS:-}" ]; then
  # the plan of several environments reviewed together: environment picks its part (a matrix job
  # per cluster), else every part in the order planned, stopping at the first that fails
  gh run download "$run" --repo "$GITHUB_REPOSITORY" --name "kgov-plan-estate" --dir kgov-reviewed
  if [ -n "${KGOV_ENV:-}" ]; then which=(--env "$KGOV_ENV"); else which=(--all-environments); fi
else
  gh run download "$run" --repo "$GITHUB_REPOSITORY" --name "kgov-plan-$KGOV_ENV" --dir kgov-reviewed
  which=(--env "$KGOV_ENV")
fi
args=(kgov-reviewed/plan.json "${which[@]}" --catalog "$KGOV_CATALOG")
if [ "$KGOV_ALLOW_DELETE" = true ]; then args+=(--allow-delete); fi
echo "Applying the plan reviewed in pull request #$pr (run $run)"
# kgov's output quotes the catalog, the plan file and the cluster: no workflow commands in it
commands_off
status=0
kgov apply "${args[@]}" || status=$?
commands_on
exit "$status"
