#!/usr/bin/env bash
# Renders an SVG (tools/compare's chart) to PNG with Debian's headless Chromium, to see it as a
# browser shows it. Works offline: every Chromium service that would call home is off.
#
#   tools/render_svg.sh results/amd-epyc-zen3.svg /tmp/chart.png
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 IN.svg OUT.png" >&2; exit 2; }
svg=$1
png=$2
[ -r "$svg" ] || { echo "error: cannot read $svg" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || {
  echo "error: no chromium: apt-get install chromium (./setup.sh does)" >&2
  exit 1
}

# The window is the chart's own size (its width="..." height="..." attributes).
size() { sed -n "s/.*<svg[^>]* $1=\"\([0-9]*\)\".*/\1/p" "$svg" | head -n 1; }
width=$(size width)
height=$(size height)
[ -n "$width" ] && [ -n "$height" ] || { echo "error: $svg has no width/height" >&2; exit 1; }

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
rm -f "$png"
# Chromium prints harmless warnings (D-Bus, GPU) on stderr; they are kept for when it fails.
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size="$width,$height" \
  --screenshot="$(realpath -m "$png")" "file://$(realpath "$svg")" >"$profile/log" 2>&1 || true
[ -s "$png" ] || {
  echo "error: chromium wrote no $png:" >&2
  tail -n 5 "$profile/log" >&2
  exit 1
}
echo "$png: ${width}x${height}"
