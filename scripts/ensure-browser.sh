#!/usr/bin/env bash
# Makes sure Chromium is there for the browser tests (scripts/test.sh runs it; the platform itself
# does not need it).
set -euo pipefail

# Debian's Chromium for the browser tests (tests/browser drives it with playwright-core; Playwright's
# own browser download is not used). Installed once, as root or through sudo; quiet when present.
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Chromium is missing ($chromium): the browser tests need it; install Chromium and set CHROMIUM_PATH to it" >&2
  elif [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "Chromium is missing ($chromium): the browser tests need it; as root run: apt-get install -y chromium" >&2
  else
    echo "installing Chromium from Debian packages (for the browser tests)" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
