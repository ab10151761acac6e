#!/usr/bin/env bash
# Runs the whole platform on this machine: every service plus the Proxmox VE simulator as the
# default Proxmox host (unless BOOTSTRAP_HOST_JSON names a real one). Uses the PostgreSQL and NATS
# it finds on localhost, starting or installing them if needed. Ctrl-C stops everything cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
# PostgreSQL, and the nats-server binary: the platform runs its own authenticated NATS (run-platform.ts).
bash scripts/ensure-infra.sh --nats-binary-only
# The web console (services/web-console), which the gateway serves at http://localhost:8080/.
pnpm --silent --filter @proximity/web-console build >/dev/null
# node directly (not through pnpm), so Ctrl-C and SIGTERM reach the runner, which stops every service.
exec node --import tsx scripts/run-platform.ts
