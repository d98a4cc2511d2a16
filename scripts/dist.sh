#!/usr/bin/env bash
# make dist: the bundles this machine can build (.deb and .rpm) into dist/,
# then checks them: the .deb installs with dpkg, the installed adkeep prints
# its version and refreshes against the Graph double without a display, and
# the package removes cleanly; the .rpm declares what it needs and holds the
# same files. (An AppImage needs linuxdeploy, which the bundler downloads from
# GitHub: the release pipeline builds it, this machine cannot.)
#
#   scripts/dist.sh           release build, then bundles (what the release pipeline's Linux job runs)
#   scripts/dist.sh --quick   bundles the debug build `make test` already made (packaging and install only;
#                             that build has the tests' features, so the release build is what ships)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh dist
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"

quick=false
[ "${1:-}" = --quick ] && quick=true
tauri=tools/node_modules/.bin/tauri

# Update artifacts are signed with the private key from the release
# pipeline's secrets; without it the bundles are built unsigned.
config='{}'
if [ -z "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  config='{"bundle":{"createUpdaterArtifacts":false}}'
fi

if $quick; then
  profile=debug
  # The app as the tests built it (`cargo test` leaves it in target/debug): a
  # plain `cargo build` would compile every crate again without the tests'
  # features (five minutes on a fresh clone).
  cargo test --locked --no-run --workspace --tests
  cargo build --locked -p graph-double --features test-kit --bin graph-double
  "$tauri" bundle --debug --bundles deb,rpm --config "$config" --ci
else
  profile=release
  "$tauri" build --bundles deb,rpm --config "$config" --ci
  cargo build --locked --release -p graph-double --features test-kit --bin graph-double
fi

# Cargo's (and the Tauri CLI's) output folder: CARGO_TARGET_DIR when set.
target=${CARGO_TARGET_DIR:-target}
rm -rf dist
mkdir -p dist
cp "$target/$profile"/bundle/deb/*.deb "$target/$profile"/bundle/rpm/*.rpm dist/
scripts/check-packages.sh "$target/$profile/graph-double" dist/*.deb dist/*.rpm
ls -l dist/
