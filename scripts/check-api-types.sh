#!/usr/bin/env bash
# Fails when the web console's API types (services/web-console/src/api) differ from what the
# gateway's OpenAPI document generates: the console must never drift from the API it calls.
set -euo pipefail
cd "$(dirname "$0")/.."
api=services/web-console/src/api
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Generated into a scratch directory: the check never changes the working tree.
pnpm --silent --filter @proximity/web-console exec tsx scripts/generate-api-types.ts "$tmp" >/dev/null
for file in openapi.json schema.d.ts; do
  if ! cmp -s "$tmp/$file" "$api/$file"; then
    echo "the web console's API types are stale: run 'pnpm api:generate' and commit the result" >&2
    diff "$api/$file" "$tmp/$file" | head -40 >&2 || true
    exit 1
  fi
done
