#!/usr/bin/env bash
# Makes sure PostgreSQL and NATS (with JetStream) answer on their standard local ports.
# Uses what is already running; else starts the locally installed servers; else, with a Docker
# engine, `docker compose up -d postgres nats`; else installs them from Debian packages (as root).
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done; echo "nothing answers on 127.0.0.1:$1" >&2; return 1; }
have() { command -v "$1" >/dev/null 2>&1; }
docker_ok() { have docker && docker info >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo "$@"; else echo "need root for: $*" >&2; return 1; fi; }

apt_install() {
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  port_open 5432 && return 0
  if ! have pg_ctlcluster && ! ls /etc/postgresql >/dev/null 2>&1; then
    # Not the compose stack's postgres (it requires a superuser password and publishes no port): a
    # development server on the loopback that trusts local logins, like the Debian setup below.
    if docker_ok; then
      { docker start proximity-dev-postgres >/dev/null 2>&1 ||
        docker run -d --name proximity-dev-postgres -p 127.0.0.1:5432:5432 \
          -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16-alpine >/dev/null; } && wait_port 5432 && return 0
    fi
    echo "installing PostgreSQL from Debian packages" >&2
    apt_install postgresql
    local version; version=$(ls /etc/postgresql | sort -V | tail -1)
    # Local development and CI only: trust connections from this machine, as the dev servers do.
    as_root sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' \
      "/etc/postgresql/$version/main/pg_hba.conf"
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  wait_port 5432
}

ensure_nats_binary() {
  if ! have nats-server && [ ! -x /usr/sbin/nats-server ]; then
    echo "installing nats-server from Debian packages" >&2
    apt_install nats-server
  fi
}

# The tests' shared NATS (no auth, JetStream) on 4222. The platform itself (scripts/dev.sh) runs its
# own authenticated nats-server and needs only the binary.
ensure_nats() {
  port_open 4222 && return 0
  ensure_nats_binary
  local dir=/var/lib/nats-server
  as_root mkdir -p "$dir"
  as_root start-stop-daemon --start --oknodo --background --exec "$(command -v nats-server || echo /usr/sbin/nats-server)" \
    -- -a 127.0.0.1 -p 4222 -js -sd "$dir" -l /var/log/nats-server.log
  wait_port 4222
}

ensure_postgres
case "${1:-}" in
  --nats-binary-only) [ -n "${NATS_URL:-}" ] || ensure_nats_binary ;;
  *) ensure_nats ;;
esac
