#!/usr/bin/env bash
# Renders a job report (assayctl report ID) in headless Chromium: a PNG screenshot of the page and
# its DOM as the browser built it. Usage: report_screenshot.sh REPORT.html OUT.png [WIDTH,HEIGHT]
# Writes OUT.png and OUT.png.dom.html. Exits 77 when Chromium is not installed
# (apt-get install chromium), 1 when it fails to render.
set -euo pipefail
report=$(realpath "$1")
png=$2
size=${3:-1280,6000}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "chromium is not installed (apt-get install chromium)" >&2
  exit 77
fi
# --no-sandbox: the sandbox refuses to run as root (CI containers); the page has no scripts.
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions
       --user-data-dir="$(mktemp -d)" --window-size="$size")
timeout 120 "$browser" "${flags[@]}" --screenshot="$png" "file://$report" > /dev/null 2>&1 || {
  echo "chromium could not render $report" >&2; exit 1; }
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$report" > "$png.dom.html" 2> /dev/null || {
  echo "chromium could not load $report" >&2; exit 1; }
[ -s "$png" ] && [ -s "$png.dom.html" ]
