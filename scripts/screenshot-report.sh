#!/usr/bin/env bash
# Renders an HTML report in headless Chromium and saves a screenshot, to check by eye that
# the report opens offline and reads well. Not run by CI (it needs Debian's `chromium`).
#
#   scripts/screenshot-report.sh [REPORT.html] [OUT.png] [WIDTHxHEIGHT]
#
# Defaults: output/substation/report.html (made first with `faultline compare` if absent),
# /tmp/report.png, 1200x2400.
set -euo pipefail
cd "$(dirname "$0")/.."
report=${1:-output/substation/report.html}
shot=${2:-/tmp/report.png}
size=${3:-1200x2400}
if ! command -v chromium >/dev/null; then
    echo "chromium not found: apt-get install -y chromium" >&2
    exit 1
fi
if [ ! -f "$report" ] && [ "$report" = output/substation/report.html ]; then
    cargo run --release --quiet -- compare scenarios/substation.ron --quiet > /dev/null
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# No network, no profile, no background services: the page must render from the file alone.
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --disable-sync --user-data-dir="$profile" \
    --screenshot="$shot" --window-size="${size/x/,}" "file://$(realpath "$report")" 2>/dev/null
echo "$shot"
