#!/usr/bin/env bash
# Every test: formatting and lints, unit and integration tests (against the
# Graph double), the keychain against a real Secret Service, the UI in
# Chromium, and real-window journeys under Xvfb. Starts and stops every
# service it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
export PATH="$HOME/.cargo/bin:$PATH"
# Tests set HOME to scratch folders; keep the toolchain where it is.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export CARGO_TERM_COLOR=never

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
step() { printf '\n=== %s ===\n' "$*"; }

step "formatting"
cargo fmt --all -- --check

step "lints"
cargo clippy --workspace --all-targets --locked -- -D warnings
# The double as the app's sandbox ships it: without its test kit.
cargo clippy --locked -p graph-double --lib -- -D warnings

step "unit and integration tests (against the Graph double)"
cargo test --workspace --locked

# gnome-keyring on a private D-Bus session, with its keyrings in a scratch home.
keyring_session() {
  env HOME="$scratch/keyring-home" XDG_DATA_HOME="$scratch/keyring-home/.local/share" \
    dbus-run-session -- sh -c 'echo -n adkeep-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; "$@"' sh "$@"
}

step "keychain (real Secret Service)"
mkdir -p "$scratch/keyring-home"
# `--workspace` everywhere: the same features as the step above, so nothing is built again.
keyring_session cargo test --locked --workspace --test keychain --test upgrade -- --ignored --test-threads=1

step "UI (Chromium, fake backend)"
(cd tests/ui && npm test)

step "real-window journeys (Xvfb, tauri-driver, WebKitWebDriver)"
e2e_tests=$(ls tests/e2e_*.rs | grep -v e2e_readable | xargs -n1 basename | sed 's/\.rs$//' | sed 's/^/--test /' | tr '\n' ' ')
# shellcheck disable=SC2086
keyring_session xvfb-run -a -s '-screen 0 1400x900x24' cargo test --locked --workspace $e2e_tests -- --ignored --test-threads=1
# axe-core in the real window prints its counts per screen.
keyring_session xvfb-run -a -s '-screen 0 1400x900x24' cargo test --locked --workspace --test e2e_readable -- --ignored --test-threads=1 --nocapture

step "Linux packages (make dist, quick: bundles the debug build, installs, runs, removes)"
scripts/dist.sh --quick

step "release workflow (actionlint)"
scripts/lint-workflows.sh

printf '\nAll tests passed.\n'
