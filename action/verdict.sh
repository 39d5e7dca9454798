#!/usr/bin/env bash
# Fail the check after the comment is posted: lint errors, a failed or blocked plan, a diff failure,
# or (with fail-on) a change of that class or worse.
set -euo pipefail
failed=0
if [ "${KGOV_LINT:-0}" != 0 ]; then echo "::error::kgov lint found errors"; failed=1; fi
if [ -n "${KGOV_PLAN:-}" ] && [ "$KGOV_PLAN" != 0 ]; then echo "::error::kgov plan failed or is blocked"; failed=1; fi
if [ "${KGOV_DIFF_CLASS:-}" = error ]; then echo "::error::kgov diff failed"; failed=1; fi
case "${KGOV_FAIL_ON:-}:${KGOV_DIFF_CLASS:-}" in
  breaking:breaking | attention:breaking | attention:attention)
    echo "::error::the change has ${KGOV_DIFF_CLASS} changes (fail-on: ${KGOV_FAIL_ON})"; failed=1 ;;
esac
exit "$failed"
