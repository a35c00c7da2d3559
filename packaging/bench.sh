#!/usr/bin/env bash
# Measures what a user waits for after installing the .deb: the cold start of
# `/usr/bin/ossvault --version`, and the time from launching the desktop app
# until its window is mapped on an X display. Prints the package sizes too.
#
# usage: packaging/bench.sh DEB [RUNS]      (root; default RUNS: 5)
#
# Each is measured warm (files in the page cache), the baseline, then cold:
# the page cache dropped before each run (echo 3 > /proc/sys/vm/drop_caches),
# where that is permitted. Run it under
# internal/testenv/with-services.sh, which gives the app a display (Xvfb), a
# session bus and a keyring as on a desktop. It installs DEB and removes it
# afterwards, like check.sh, and refuses to touch an existing installation.
set -euo pipefail
# shellcheck source=packaging/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: $0 DEB [RUNS]"
deb=$1
runs=${2:-5}
[ "$(id -u)" = 0 ] || die "run as root: it installs the .deb"
[ -n "${DISPLAY:-}" ] || die "no DISPLAY: run it under internal/testenv/with-services.sh"
need hyperfine:hyperfine xdotool:xdotool
case "$(package_state)" in
unknown | config-files) ;;
*) die "ossvault is already installed; remove it first" ;;
esac

# The display may still be starting (Xvfb on a busy machine): wait for it.
for _ in $(seq 300); do
	xdotool getdisplaygeometry >/dev/null 2>&1 && break
	sleep 0.1
done
xdotool getdisplaygeometry >/dev/null 2>&1 || die "cannot open display $DISPLAY"

work=$(mktemp -d)
log=$work/app.log
trap 'dpkg -P ossvault >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
# hyperfine --shell=none runs PREPARE without a shell, so it is a script.
printf '#!/bin/sh\nsync\necho 3 >/proc/sys/vm/drop_caches\n' >"$work/drop-caches"
chmod +x "$work/drop-caches"
dpkg -i "$deb" >/dev/null

# measure KIND PREPARE times --version and launch-to-window, running the
# program PREPARE before each run.
measure() {
	local kind=$1 prepare=$2 times=() start end deadline pid
	echo "== $kind: /usr/bin/ossvault --version, $runs runs"
	hyperfine --style basic --shell=none --runs "$runs" --prepare "$prepare" '/usr/bin/ossvault --version'

	echo "== $kind: launch to window mapped (polling xdotool search --all --onlyvisible --pid PID --name ^ossvault$), $runs runs"
	for _ in $(seq "$runs"); do
		"$prepare"
		start=$(date +%s%N)
		/usr/bin/ossvault >"$log" 2>&1 &
		pid=$!
		# Polled every 10 ms: xdotool's own --sync waits 500 ms between looks.
		deadline=$((start + 60000000000))
		until xdotool search --all --onlyvisible --pid "$pid" --name '^ossvault$' >/dev/null 2>&1; do
			if [ "$(date +%s%N)" -gt "$deadline" ] || ! kill -0 "$pid" 2>/dev/null; then
				kill "$pid" 2>/dev/null || true
				cat "$log" >&2
				die "no ossvault window was mapped within 60 s (its output is above)"
			fi
			sleep 0.01
		done
		end=$(date +%s%N)
		# SIGKILL: a Fyne app sent SIGTERM in its first moments may miss the
		# quit request and keep running; only the start is measured here.
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null || true
		times+=($(((end - start) / 1000000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk -v kind="$kind" '
		{ t[NR] = $1; sum += $1 }
		END {
			med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
			printf "window mapped (%s): median %d ms, min %d ms, max %d ms, mean %.0f ms over %d runs\n", kind, med, t[1], t[NR], sum / NR, NR
		}'
}

# Warm runs first, as the baseline the cold ones are read against.
/usr/bin/ossvault --version >/dev/null 2>&1 || true
measure warm true
if "$work/drop-caches" 2>/dev/null; then
	measure cold "$work/drop-caches"
else
	echo "== cold: not measured, dropping the page cache is not permitted here"
fi

echo "== package sizes"
human_size "$deb"
