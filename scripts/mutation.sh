#!/usr/bin/env bash
# Mutation testing of the invariant-guarding modules: one Stryker run per group of
# scripts/mutation/stryker.config.mjs (all groups, or those named as arguments).
# Needs PostgreSQL and NATS like the test suite: TEST_DATABASE_URL / TEST_NATS_URL, else the local
# servers (started or installed if missing, as scripts/test.sh does). Prints the mutation score per
# file and every surviving mutant; HTML/JSON reports in reports/mutation/<group>.{html,json}.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TEST_DATABASE_URL:-}" ] || [ -z "${TEST_NATS_URL:-}" ]; then
  if ! (command -v docker >/dev/null && docker info >/dev/null 2>&1); then
    bash scripts/ensure-infra.sh
    export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    export TEST_NATS_URL="${TEST_NATS_URL:-nats://127.0.0.1:4222}"
  fi
fi
export TEST_DATABASE_URL TEST_NATS_URL

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(secrets-policy app-status vmid-leases bus gateway)
failed=()
for g in "${groups[@]}"; do
  echo "== mutation: $g"
  MUTATION_GROUP="$g" pnpm exec stryker run scripts/mutation/stryker.config.mjs || failed+=("$g")
done
echo "== mutation: reports in reports/mutation/"
if [ ${#failed[@]} -gt 0 ]; then
  echo "runs that did not complete: ${failed[*]}" >&2
  exit 1
fi
