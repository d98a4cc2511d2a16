#!/usr/bin/env bash
# Checks the Linux packages in dist/ (called by scripts/dist.sh):
#   check-packages.sh GRAPH_DOUBLE DEB RPM
set -euo pipefail
double_bin=$1 deb=$2 rpm=$3
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
scratch=$(mktemp -d)
double_pid=""
installed=false
cleanup() {
  [ -n "$double_pid" ] && kill "$double_pid" 2>/dev/null || true
  # A failed check does not leave its install behind.
  if $installed; then $sudo dpkg -r adkeep >/dev/null 2>&1 || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
fail() { echo "check-packages: $*" >&2; exit 1; }

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)

echo "--- $deb"
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
depends=$(dpkg-deb --field "$deb" Depends)
for need in libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1 gnome-keyring; do
  case "$depends" in *"$need"*) ;; *) fail "the .deb does not depend on $need: $depends" ;; esac
done
if dpkg-query -W -f='${Status}' adkeep 2>/dev/null | grep -q "install ok installed"; then
  fail "adkeep is already installed here; remove it first (dpkg -r adkeep)"
fi
installed=true
$sudo dpkg -i "$deb"
[ -x /usr/bin/adkeep ] || fail "/usr/bin/adkeep is missing after dpkg -i"
[ -f /usr/share/applications/Adkeep.desktop ] || fail "the desktop entry is missing"
shown=$(/usr/bin/adkeep --version)
echo "$shown"
case "$shown" in "adkeep $version (commit "*")") ;; *) fail "unexpected --version: $shown" ;; esac

# A headless refresh from the installed path against the double.
"$double_bin" --accounts 25 >"$scratch/double.out" 2>"$scratch/double.err" &
double_pid=$!
for _ in $(seq 1 100); do grep -q '^token=' "$scratch/double.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^url=//p' "$scratch/double.out")
token=$(sed -n 's/^token=//p' "$scratch/double.out")
[ -n "$url" ] && [ -n "$token" ] || fail "the Graph double did not start: $(cat "$scratch/double.err")"
env -u DISPLAY -u WAYLAND_DISPLAY ADKEEP_GRAPH_URL="$url" ADKEEP_FACEBOOK_URL="$url" \
  ADKEEP_ACCESS_TOKEN="$token" ADKEEP_DATA_DIR="$scratch/data" \
  /usr/bin/adkeep refresh --json >"$scratch/refresh.json" || fail "the installed adkeep could not refresh"
accounts=$( (grep -o '"id": *"act_[0-9]*"' "$scratch/refresh.json" || true) | sort -u | wc -l)
[ "$accounts" -eq 25 ] || fail "the installed adkeep refreshed $accounts accounts, not 25"
echo "installed adkeep refreshed $accounts accounts from the double"
# The headless watcher: one check, nothing to deliver, exit 0.
env -u DISPLAY -u WAYLAND_DISPLAY ADKEEP_GRAPH_URL="$url" ADKEEP_FACEBOOK_URL="$url" \
  ADKEEP_ACCESS_TOKEN="$token" ADKEEP_DATA_DIR="$scratch/data" \
  /usr/bin/adkeep watch --once 2>"$scratch/watch.err" || fail "the installed adkeep watch --once failed: $(cat "$scratch/watch.err")"
unit=/usr/lib/systemd/user/adkeep-watch.service
[ -f "$unit" ] || fail "the systemd user unit is missing"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify "$unit" || fail "the systemd unit does not verify"
fi
echo "the watcher runs from the installed path, and its systemd user unit verifies"
kill "$double_pid"; double_pid=""

$sudo dpkg -r adkeep
installed=false
[ ! -e /usr/bin/adkeep ] || fail "/usr/bin/adkeep is still there after dpkg -r"
[ ! -e /usr/share/applications/Adkeep.desktop ] || fail "the desktop entry is still there after dpkg -r"
if dpkg-query -W -f='${Status}' adkeep 2>/dev/null | grep -q "install ok installed"; then
  fail "adkeep is still installed"
fi
echo "the .deb installs, runs and removes cleanly"

echo "--- $rpm"
rpm -qpi "$rpm" 2>/dev/null | sed -n '1,12p'
requires=$(rpm -qp --requires "$rpm" 2>/dev/null)
for need in libayatana-appindicator-gtk3 gnome-keyring; do
  case "$requires" in *"$need"*) ;; *) fail "the .rpm does not require $need: $requires" ;; esac
done
files=$(rpm -qpl "$rpm" 2>/dev/null)
for f in /usr/bin/adkeep /usr/share/applications/Adkeep.desktop /usr/lib/systemd/user/adkeep-watch.service; do
  case "$files" in *"$f"*) ;; *) fail "the .rpm lacks $f" ;; esac
done
echo "the .rpm declares its dependencies and holds the app"
