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
pnpm --silent --filter @proximity/web-console build --logLevel error >/dev/null
# The runner (node directly, not through pnpm) in a process group of its own (job control), with
# every service it starts: Ctrl-C at this terminal reaches only this script, which passes it on, and
# the runner stops the services first and the simulator and NATS last. In the terminal's group they
# would all get it at once, and the simulator would be gone while services still talk to it.
# A script that starts this in the background (non-interactive shell) has SIGINT ignored for it,
# and bash cannot trap a signal ignored at start: say how to stop it then (the runner's banner too).
if (( ($(awk '/^SigIgn:/ { print "0x" $2 }' /proc/$$/status 2>/dev/null || echo 0) & 2) != 0 )); then
  echo "[dev] started with SIGINT ignored (in the background): stop it with kill -TERM $$" >&2
  export DEV_STOP_COMMAND="kill -TERM $$"
fi
set -m
node --import tsx scripts/run-platform.ts &
runner=$!
# The group is made at start; without job control from here on bash prints no job notices.
set +m
trap 'kill -INT "$runner" 2>/dev/null || true' INT
trap 'kill -TERM "$runner" 2>/dev/null || true' TERM
trap 'kill -HUP "$runner" 2>/dev/null || true' HUP
# Ctrl-\ (and this script ending any other way but kill -9): the whole group, at once.
trap 'kill -KILL -- -"$runner" 2>/dev/null || true' QUIT
trap 'kill -TERM -- -"$runner" 2>/dev/null || true' EXIT
# A signal caught above ends `wait` early: wait again until the runner has stopped everything.
while :; do
  status=0
  wait "$runner" || status=$?
  kill -0 "$runner" 2>/dev/null || break
done
exit "$status"
