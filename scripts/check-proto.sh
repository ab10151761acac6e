#!/usr/bin/env bash
# Fails when the committed TypeScript or descriptor set differs from what `pnpm proto:generate`
# produces from proto/ (contracts are defined once; generated code must never drift).
set -euo pipefail
cd "$(dirname "$0")/.."
pnpm exec buf lint
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r packages/proto/src/gen "$tmp/gen.before"
cp packages/proto/descriptors/proximity.binpb "$tmp/before.binpb"
pnpm --silent proto:generate >/dev/null
if ! diff -r -q "$tmp/gen.before" packages/proto/src/gen >/dev/null || ! cmp -s "$tmp/before.binpb" packages/proto/descriptors/proximity.binpb; then
  echo "generated protobuf code is stale: run 'pnpm proto:generate' and commit the result" >&2
  diff -r "$tmp/gen.before" packages/proto/src/gen | head -40 >&2 || true
  exit 1
fi
