#!/usr/bin/env bash
# Installs what Adkeep needs on Debian/Ubuntu, only what is missing.
#   scripts/deps.sh build   system libraries to build and run the app
#   scripts/deps.sh test    plus Xvfb, WebKitWebDriver, gnome-keyring, Chromium,
#                           the UI tests' npm packages and tauri-driver, and
#                           what `make dist` needs
#   scripts/deps.sh dist    build libraries, rpm (to inspect the .rpm) and the
#                           Tauri CLI (tools/, pinned)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-build}

build_pkgs=(build-essential pkg-config curl wget file libwebkit2gtk-4.1-dev libxdo-dev libssl-dev
            libayatana-appindicator3-dev librsvg2-dev dbus-x11 gnome-keyring)
test_pkgs=(xvfb xauth webkit2gtk-driver libsecret-1-dev imagemagick chromium nodejs npm python3-venv shellcheck
           time)  # GNU time: the peak memory `make bench` reports
dist_pkgs=(rpm nodejs npm)

pkgs=("${build_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}" rpm)
[ "$what" = dist ] && pkgs+=("${dist_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  # Node may come from elsewhere (nvm, nodesource): only install it if absent.
  if [ "$p" = nodejs ] && command -v node >/dev/null; then continue; fi
  if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "Rust is missing: install it with rustup (https://rustup.rs), then run this again." >&2
    exit 1
  fi
fi

if [ "$what" = test ]; then
  if [ ! -d tests/ui/node_modules/playwright-core ]; then
    (cd tests/ui && npm ci --no-audit --no-fund)
  fi
  if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    cargo install tauri-driver --version '^2' --locked
  fi
fi

if [ "$what" = test ] || [ "$what" = dist ]; then
  if [ ! -x tools/node_modules/.bin/tauri ]; then
    (cd tools && npm ci --no-audit --no-fund)
  fi
fi
