# shellcheck shell=bash
# Shared by the action's scripts (sourced). Inputs are checked before any command sees them, and
# text that is not the action's own reaches the job log escaped or between ::stop-commands:: markers:
# the log reads any line that starts with `::` as a workflow command.
action_dir=${BASH_SOURCE[0]%/*}

# Print an error annotation and stop. The message may quote an input: untrusted.py shows control
# and bidi characters as escapes (kgov.sanitize), so it stays on this one line.
fail() {
  echo "::error::$(python "$action_dir/untrusted.py" log "$1")"
  exit 1
}

# A git ref from an input, checked before git sees it. Never an option (`git fetch origin
# --upload-pack=CMD` runs CMD with a local or ssh origin) nor a forced refspec (`+`): a well-formed
# ref name or commit id (git check-ref-format), optionally followed by ancestry steps (main~1, HEAD^2).
valid_ref() {
  local ref=$1 name=${1%%[~^]*}
  case $ref in '' | -* | +*) return 1 ;; esac
  [[ ${ref:${#name}} =~ ^([~^][0-9]*)*$ ]] && git check-ref-format --allow-onelevel "$name"
}

# An environment name from an input: it becomes part of a comment marker and an artifact name.
valid_env() { python "$action_dir/untrusted.py" env-name "$1"; }

# The environments input as kgov's arguments, in the array env_args: names separated by spaces,
# commas or new lines (`--env a --env b`), each checked as above; `*` is every environment of
# kgov.yaml (`--all-environments`). `read -a` splits without globbing, so `*` stays itself.
environments_args() {
  local name list
  env_args=()
  read -ra list <<< "$(printf '%s' "$1" | tr ',\n\t' '   ')"
  for name in "${list[@]}"; do
    if [ "$name" = "*" ]; then env_args+=(--all-environments); continue; fi
    if ! valid_env "$name"; then
      fail "the environments input has '$name', not an environment name: letters, digits, '.', '_' and '-', at most 64, starting with a letter or digit"
    fi
    env_args+=(--env "$name")
  done
}

# From commands_off to commands_on the log shows workflow commands as plain text (GitHub's
# documented ::stop-commands::, with a random token that printed text cannot guess).
commands_off() {
  stop_token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  echo "::stop-commands::$stop_token"
}
commands_on() { echo "::$stop_token::"; }
