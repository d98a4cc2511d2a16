#!/usr/bin/env bash
# Benchmarks: refresh-all against the Graph double at a 100 ms round trip
# (100, 1,000 and 5,000 accounts), the whole `adkeep refresh` process for
# 1,000 accounts, recording the history of a 2,000-account refresh with 200
# changes, the UI budgets in Chromium (first paint of 1,000 cached
# accounts, filtering 5,000 rows), and the real window (launch to first rows
# with 1,000 and 5,000 cached accounts against the empty app, and the web
# process's memory). Prints tables.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
export PATH="$HOME/.cargo/bin:$PATH"
cargo bench --locked -p adkeep-core --bench refresh_all
cargo bench --locked -p adkeep-core --bench history
cargo bench --locked -p adkeep --bench cli_refresh
(cd tests/ui && node bench.mjs)
# The real window: release build, WebKitGTK under Xvfb, through tauri-driver.
dbus-run-session -- xvfb-run -a -s '-screen 0 1400x900x24' \
  cargo bench --locked -p adkeep --bench real_window
