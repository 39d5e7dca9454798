#!/usr/bin/env bash
# The review half of the kgov action: lint (annotations + SARIF; schemas against the base), diff against the base (Markdown,
# SARIF, JSON), and a plan (Markdown + the plan file for apply). Never fails by itself: the verdict
# step decides, after the comment is posted. Inputs come as KGOV_* variables, never interpolated.
set -uo pipefail
mkdir -p kgov-out
out() { echo "$1=$2" >> "$GITHUB_OUTPUT"; }

lint=("$KGOV_CATALOG")
if [ -n "$KGOV_BASE" ]; then
  # actions/checkout fetches one commit: fetch the base too (its tip is all lint and diff need)
  if ! git cat-file -e "$KGOV_BASE^{commit}" 2>/dev/null; then
    git fetch --no-tags --quiet --depth=1 origin "$KGOV_BASE" || true
  fi
  # with the base, lint also checks each changed schema against its version there (schema-incompatible)
  if git cat-file -e "$KGOV_BASE^{commit}" 2>/dev/null; then lint+=(--base "$KGOV_BASE"); fi
fi
kgov lint "${lint[@]}" --format github
out lint $?
kgov lint "${lint[@]}" --format sarif > kgov-out/lint.sarif || true

if [ -n "$KGOV_BASE" ]; then
  kgov diff --base "$KGOV_BASE" --catalog "$KGOV_CATALOG" --format markdown > kgov-out/diff.md 2> kgov-out/diff.err
  status=$?
  if [ "$status" = 0 ]; then
    kgov diff --base "$KGOV_BASE" --catalog "$KGOV_CATALOG" --format sarif > kgov-out/diff.sarif
    kgov diff --base "$KGOV_BASE" --catalog "$KGOV_CATALOG" --format json > kgov-out/diff.json
    out diff-class "$(python -c 'import json,sys; d=json.load(open(sys.argv[1])); c=d["changes"]; print(max((x["class"] for x in c), key=["safe","attention","breaking"].index) if c else "")' kgov-out/diff.json)"
  else
    { echo "### kgov diff failed"; echo; echo '```'; head -c 4000 kgov-out/diff.err; echo '```'; } > kgov-out/diff.md
    out diff-class error
  fi
fi

if [ -n "$KGOV_ENV" ]; then
  args=(--env "$KGOV_ENV" --catalog "$KGOV_CATALOG" --format markdown --out kgov-out/plan.json)
  # a plan for a pull request connects with the base's connection settings, never the PR's own
  # (docs/trust-model.md): --base (scoped) or --settings-from (full) reads them from the base
  if [ -n "$KGOV_BASE" ]; then
    if [ "$KGOV_SCOPED" = true ]; then args+=(--base "$KGOV_BASE"); else args+=(--settings-from "$KGOV_BASE"); fi
  fi
  if [ -n "$KGOV_SNAPSHOT" ]; then args+=(--snapshot "$KGOV_SNAPSHOT"); fi
  if [ "$KGOV_ALLOW_DELETE" = true ]; then args+=(--allow-delete); fi
  kgov plan "${args[@]}" > kgov-out/plan.md 2> kgov-out/plan.err
  status=$?
  out plan "$status"
  if [ "$status" != 0 ] && [ ! -s kgov-out/plan.md ]; then
    { echo "### kgov plan failed"; echo; echo '```'; head -c 4000 kgov-out/plan.err; echo '```'; } > kgov-out/plan.md
  fi
fi
exit 0
