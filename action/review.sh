#!/usr/bin/env bash
# The review half of the kgov action: lint (annotations + SARIF; schemas against the base), diff against the base (Markdown,
# SARIF, JSON), and a plan (Markdown + the plan file for apply). Never fails by itself: the verdict
# step decides, after the comment is posted. Inputs come as KGOV_* variables, never interpolated;
# the base ref and the environment name are checked before any command sees them (action/lib.sh).
set -uo pipefail
# shellcheck source=action/lib.sh
. "${BASH_SOURCE[0]%/*}/lib.sh"
mkdir -p kgov-out
out() { echo "$1=$2" >> "$GITHUB_OUTPUT"; }

if [ -n "$KGOV_BASE" ] && ! valid_ref "$KGOV_BASE"; then
  fail "the base input '$KGOV_BASE' is not a git ref: a branch, tag or commit id (optionally ~N or ^N), never starting with '-' or '+'"
fi
if [ -n "$KGOV_ENV" ] && ! valid_env "$KGOV_ENV"; then
  fail "the environment input '$KGOV_ENV' is not an environment name: letters, digits, '.', '_' and '-', at most 64, starting with a letter or digit"
fi
# several environments (the environments input): one plan run, one report, one plan file
env_args=()
if [ -n "${KGOV_ENVS:-}" ]; then environments_args "$KGOV_ENVS"; elif [ -n "$KGOV_ENV" ]; then env_args=(--env "$KGOV_ENV"); fi

lint=("$KGOV_CATALOG")
if [ -n "$KGOV_BASE" ]; then
  # actions/checkout fetches one commit: fetch the base too (its tip is all lint and diff need);
  # `--` ends the options, so no ref is ever read as one
  if ! git cat-file -e "$KGOV_BASE^{commit}" 2>/dev/null; then
    git fetch --no-tags --quiet --depth=1 -- origin "$KGOV_BASE" || true
  fi
  # with the base, lint also checks each changed schema against its version there (schema-incompatible)
  if git cat-file -e "$KGOV_BASE^{commit}" 2>/dev/null; then lint+=(--base "$KGOV_BASE"); fi
fi
kgov lint "${lint[@]}" --format github 2> kgov-out/lint.err  # its stdout: annotations, on purpose
out lint $?
# From here on, nothing printed is a workflow command: kgov's messages quote the catalog and git
commands_off
python "$action_dir/untrusted.py" show kgov-out/lint.err >&2
kgov lint "${lint[@]}" --format sarif > kgov-out/lint.sarif || true

if [ -n "$KGOV_BASE" ]; then
  kgov diff --base "$KGOV_BASE" --catalog "$KGOV_CATALOG" --format markdown > kgov-out/diff.md 2> kgov-out/diff.err
  status=$?
  if [ "$status" = 0 ]; then
    kgov diff --base "$KGOV_BASE" --catalog "$KGOV_CATALOG" --format sarif > kgov-out/diff.sarif
    kgov diff --base "$KGOV_BASE" --catalog "$KGOV_CATALOG" --format json > kgov-out/diff.json
    out diff-class "$(python -c 'import json,sys; d=json.load(open(sys.argv[1])); c=d["changes"]; print(max((x["class"] for x in c), key=["safe","attention","breaking"].index) if c else "")' kgov-out/diff.json)"
  else
    # stderr in the log and the comment: cleaned, there in a fence that no backticks in it can close
    python "$action_dir/untrusted.py" show kgov-out/diff.err >&2
    { echo "### kgov diff failed"; echo; python "$action_dir/untrusted.py" fence kgov-out/diff.err; } > kgov-out/diff.md
    out diff-class error
  fi
fi

if [ "${#env_args[@]}" -gt 0 ]; then
  args=("${env_args[@]}" --catalog "$KGOV_CATALOG" --format markdown --out kgov-out/plan.json)
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
  python "$action_dir/untrusted.py" show kgov-out/plan.err >&2
  if [ "$status" != 0 ] && [ ! -s kgov-out/plan.md ]; then
    { echo "### kgov plan failed"; echo; python "$action_dir/untrusted.py" fence kgov-out/plan.err; } > kgov-out/plan.md
  fi
fi
commands_on
exit 0
