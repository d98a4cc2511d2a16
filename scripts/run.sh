#!/usr/bin/env bash
# Builds and runs Adkeep (installing what is missing first).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
export PATH="$HOME/.cargo/bin:$PATH"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: run this from a desktop session (or under xvfb-run for a headless check)." >&2
  exit 1
fi
exec cargo run --locked --bin adkeep -- "$@"
