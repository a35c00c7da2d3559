#!/usr/bin/env bash
# Renders icon.svg to the PNG sizes the packages use. The PNGs are committed so
# that building a package never needs an SVG renderer; run this after editing
# icon.svg and commit the result.
#
# usage: assets/render.sh          write icon-SIZE.png beside icon.svg
#        assets/render.sh --check  fail if a committed PNG differs from a fresh render
set -euo pipefail
cd "$(dirname "$0")"

sizes=(16 32 48 64 128 256 512)

if ! command -v rsvg-convert >/dev/null; then
	echo "render.sh: rsvg-convert is missing (Debian package librsvg2-bin)" >&2
	exit 1
fi

if [ "${1:-}" = --check ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	stale=0
	for s in "${sizes[@]}"; do
		rsvg-convert -w "$s" -h "$s" icon.svg -o "$tmp/icon-$s.png"
		if ! cmp -s "$tmp/icon-$s.png" "icon-$s.png"; then
			echo "assets/icon-$s.png does not match icon.svg; run assets/render.sh" >&2
			stale=1
		fi
	done
	exit "$stale"
fi

for s in "${sizes[@]}"; do
	rsvg-convert -w "$s" -h "$s" icon.svg -o "icon-$s.png"
done
