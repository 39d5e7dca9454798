#!/usr/bin/env bash
# After a merge: find the pull request of this commit, download the plan its review run saved, and
# apply exactly it. kgov apply re-plans from this commit's catalog and the live cluster and refuses
# the plan if anything it covers changed since the review (then: re-run the review, merge again).
set -euo pipefail
: "${KGOV_ENV:?the apply mode needs the environment input}"
pr=$(gh api "repos/$GITHUB_REPOSITORY/commits/$GITHUB_SHA/pulls" --jq '.[0].number // empty')
if [ -z "$pr" ]; then
  echo "::error::commit $GITHUB_SHA belongs to no pull request: nothing reviewed to apply"
  exit 1
fi
head=$(gh api "repos/$GITHUB_REPOSITORY/pulls/$pr" --jq .head.sha)
run=$(gh run list --repo "$GITHUB_REPOSITORY" --workflow "$KGOV_REVIEW_WORKFLOW" --commit "$head" \
  --status success --limit 1 --json databaseId --jq '.[0].databaseId // empty')
if [ -z "$run" ]; then
  echo "::error::no successful $KGOV_REVIEW_WORKFLOW run for pull request #$pr at $head: no reviewed plan"
  exit 1
fi
mkdir -p kgov-reviewed
gh run download "$run" --repo "$GITHUB_REPOSITORY" --name "kgov-plan-$KGOV_ENV" --dir kgov-reviewed
args=(kgov-reviewed/plan.json --env "$KGOV_ENV" --catalog "$KGOV_CATALOG")
if [ "$KGOV_ALLOW_DELETE" = true ]; then args+=(--allow-delete); fi
echo "Applying the plan reviewed in pull request #$pr (run $run)"
kgov apply "${args[@]}"
