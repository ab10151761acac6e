#!/usr/bin/env bash
# Runs every check and test of the workspace on a fresh machine: tools, dependencies from the lock
# file, PostgreSQL and NATS (started or installed if missing), then codegen freshness, lint,
# typecheck, the production build and the vitest suites (unit, service, contract, end to end).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-tools.sh
bash scripts/ensure-browser.sh
if [ -z "${TEST_DATABASE_URL:-}" ] || [ -z "${TEST_NATS_URL:-}" ]; then
  if ! (command -v docker >/dev/null && docker info >/dev/null 2>&1); then
    # No container engine: the tests use the local servers.
    bash scripts/ensure-infra.sh
    export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    export TEST_NATS_URL="${TEST_NATS_URL:-nats://127.0.0.1:4222}"
  fi
fi

echo "== generated code is up to date"
bash scripts/check-proto.sh
bash scripts/check-api-types.sh
echo "== lint"
pnpm exec biome ci .
echo "== typecheck"
pnpm exec tsc -p tsconfig.json --noEmit
pnpm exec tsc -p services/web-console/tsconfig.json
pnpm exec tsc -p services/web-console/tsconfig.scripts.json
echo "== build (every service compiled to dist/, as the image runs it; the web console bundled)"
pnpm build
echo "== tests"
pnpm exec vitest run "$@"
