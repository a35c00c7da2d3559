#!/usr/bin/env bash
# Runs a command with the services the test suite meets as a user would:
# a private D-Bus session bus, an unlocked gnome-keyring (Secret Service) with
# a throw-away data folder, and an Xvfb display. Everything started here is
# stopped when the command ends.
#
# usage: internal/testenv/with-services.sh COMMAND [ARG...]
set -euo pipefail

if [ "${OSSVAULT_IN_SERVICES:-}" != 1 ]; then
	export OSSVAULT_IN_SERVICES=1
	exec dbus-run-session -- "$0" "$@"
fi

scratch=$(mktemp -d)
cleanup() {
	[ -n "${keyring_pid:-}" ] && kill "$keyring_pid" 2>/dev/null || true
	[ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null || true
	rm -rf "$scratch"
}
trap cleanup EXIT

# gnome-keyring keeps its keyrings under XDG_DATA_HOME; a fresh one per run
# means no test ever sees a developer's real secrets.
export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
# --unlock reads the new login keyring's password from stdin.
eval "$(printf 'ossvault-test\n' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
keyring_pid=${GNOME_KEYRING_PID:-}

if [ -z "${DISPLAY:-}" ]; then
	display=:$((90 + RANDOM % 400))
	Xvfb "$display" -screen 0 1280x1024x24 -nolisten tcp >"$scratch/xvfb.log" 2>&1 &
	xvfb_pid=$!
	export DISPLAY=$display
	# A busy machine can take a while to bring Xvfb up; tests that open
	# windows must not start before it answers.
	for _ in $(seq 300); do
		xdpyinfo >/dev/null 2>&1 && break
		if ! kill -0 "$xvfb_pid" 2>/dev/null; then
			echo "with-services: Xvfb exited:" >&2; cat "$scratch/xvfb.log" >&2; exit 1
		fi
		sleep 0.1
	done
	if ! xdpyinfo >/dev/null 2>&1; then
		echo "with-services: Xvfb on $DISPLAY did not answer within 30 s" >&2; exit 1
	fi
fi

"$@"
