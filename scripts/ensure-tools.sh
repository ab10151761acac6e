#!/usr/bin/env bash
# Makes sure Node.js ≥ 20.19 and pnpm (the version in package.json) are present, then installs the
# workspace from the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1; then
  echo "Node.js 20.19+ is required (https://nodejs.org)" >&2
  exit 1
fi
want=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if [ "$(pnpm --version 2>/dev/null || true)" != "$want" ]; then
  npm install --global --silent "pnpm@$want" >/dev/null
fi
pnpm install --frozen-lockfile --reporter=silent
