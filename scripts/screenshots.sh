#!/usr/bin/env bash
# Every screen pictured: drives the real window under Xvfb (tauri-driver,
# WebKitWebDriver) over the sandbox and writes each screen at 1280×820 and
# 880×560, light and dark, into docs/screens/ (tests/screens.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/keyring-home" docs/screens
export ADKEEP_SCREENS="$PWD/docs/screens"
env HOME="$scratch/keyring-home" XDG_DATA_HOME="$scratch/keyring-home/.local/share" \
  dbus-run-session -- sh -c 'echo -n adkeep-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; "$@"' sh \
  xvfb-run -a -s '-screen 0 1400x900x24' cargo test --locked --workspace --test screens -- --ignored --test-threads=1 --nocapture
printf '\nThe pictures are in docs/screens/.\n'
