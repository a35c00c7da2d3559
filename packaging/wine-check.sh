#!/usr/bin/env bash
# Runs the Windows build for real, under Wine, on this Linux machine:
#
#   - cross-compiles ossvault.exe as the package does (mingw-w64 cgo,
#     Windows GUI program), or takes the exe given with --exe
#   - in a throw-away Wine prefix, runs the command line against a Linux
#     `ossvault serve-local`: --version, key gen (the Windows Credential
#     Manager), mb, put, get (the same bytes back), info (verified)
#   - starts the window on its own store ("This computer", --local) and
#     waits until it shows the demo bucket (OSSVAULT_READY_FILE) and X has
#     an ossvault window
#
# Wine 8.0 (Debian 12) has no bcryptprimitives.dll, from which Go programs
# since Go 1.24 take their random numbers (ProcessPrng) before main runs.
# The check builds a stand-in from wine/bcryptprimitives.c and puts it in
# the prefix's system32; it is for this check only and is never shipped.
#
# usage: packaging/wine-check.sh [--exe OSSVAULT.EXE]
#
# Without a display it runs itself under internal/testenv/with-services.sh
# (an Xvfb display). Tools it needs (wine, mingw-w64) are installed with
# apt-get when run as root.
set -euo pipefail
# shellcheck source=packaging/lib.sh
. "$(dirname "$0")/lib.sh"

exe=""
case "${1:-}" in
"") ;;
--exe)
	[ $# -eq 2 ] || die "usage: $0 [--exe OSSVAULT.EXE]"
	exe=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
	;;
*) die "usage: $0 [--exe OSSVAULT.EXE]" ;;
esac

if [ -z "${DISPLAY:-}" ]; then
	exec "$ROOT/internal/testenv/with-services.sh" "$0" "$@"
fi

need wine:wine wineserver:wine x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64 xwininfo:x11-utils cmp:diffutils
version_facts

work=$(mktemp -d)
serve_pid=""
app_pid=""
export WINEPREFIX=$work/prefix WINEDEBUG=-all WINEARCH=win64
# No Mono or Gecko: the app needs neither, and Wine would offer to fetch them.
export WINEDLLOVERRIDES="mscoree,mshtml="
cleanup() {
	[ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
	# Ends what still runs in this prefix (and only this prefix).
	[ -d "$WINEPREFIX" ] && wineserver -k 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# win PATH prints the Windows name of a path on this machine (Z:\...).
win() {
	winepath -w "$1" 2>/dev/null
}

echo "== build"
if [ -z "$exe" ]; then
	exe=$work/ossvault.exe
	CC=x86_64-w64-mingw32-gcc go_build windows amd64 "$exe" -H=windowsgui
fi
go_build linux "$("$GO" env GOARCH)" "$work/ossvault"
x86_64-w64-mingw32-gcc -shared -O2 -s -o "$work/bcryptprimitives.dll" \
	"$ROOT/packaging/wine/bcryptprimitives.c" -ladvapi32 || die "failed to build the ProcessPrng stand-in"

echo "== Wine prefix"
wineboot --init >"$work/wineboot.log" 2>&1 || { cat "$work/wineboot.log"; die "wineboot failed"; }
wineserver -w
system32=$WINEPREFIX/drive_c/windows/system32
if [ -e "$system32/bcryptprimitives.dll" ]; then
	echo "     $(wine --version) has its own bcryptprimitives.dll"
else
	cp "$work/bcryptprimitives.dll" "$system32/"
	echo "     $(wine --version) has no bcryptprimitives.dll: using the ProcessPrng stand-in"
fi

got=$(wine "$exe" --version 2>"$work/version.err") || true
expect "ossvault.exe --version prints 'ossvault $VERSION'" same "$got" "ossvault $VERSION"

echo "== command line against a Linux serve-local"
mkdir -p "$work/store"
"$work/ossvault" serve-local --dir "$work/store" >"$work/serve.out" 2>"$work/serve.log" &
serve_pid=$!
for _ in $(seq 600); do
	[ "$(wc -l <"$work/serve.out")" -ge 3 ] && break
	kill -0 "$serve_pid" 2>/dev/null || break
	sleep 0.1
done
endpoint=$(sed -n 's/^listening on //p' "$work/serve.out")
[ -n "$endpoint" ] || { cat "$work/serve.log"; die "serve-local did not start"; }
OSS_ENDPOINT=$endpoint
OSS_ACCESS_KEY_ID=$(sed -n 's/^access-key-id: //p' "$work/serve.out")
OSS_ACCESS_KEY_SECRET=$(sed -n 's/^access-key-secret: //p' "$work/serve.out")
export OSS_ENDPOINT OSS_ACCESS_KEY_ID OSS_ACCESS_KEY_SECRET
mkdir -p "$work/home" "$work/in" "$work/out"
OSSVAULT_HOME=$(win "$work/home")
export OSSVAULT_HOME
head -c 3000000 /dev/urandom >"$work/in/report.bin"

# cli DESCRIPTION ARG... runs ossvault.exe ARG... and records whether it
# exited 0; its output is in $work/cli.out.
cli() {
	local what=$1
	shift
	if wine "$exe" "$@" >"$work/cli.out" 2>"$work/cli.err"; then
		ok "$what"
	else
		fail "$what (exit $?)"
		sed 's/^/     /' "$work/cli.out" "$work/cli.err"
	fi
}
cli "key gen me (the key's private half in the Credential Manager)" key gen me --bits 2048
cli "mb oss://wine" mb oss://wine
cli "put report.bin oss://wine/" put "$(win "$work/in/report.bin")" oss://wine/
cli "get oss://wine/report.bin" get oss://wine/report.bin "$(win "$work/out/report.bin")"
expect "the file came back with the same bytes" cmp "$work/in/report.bin" "$work/out/report.bin"
cli "info oss://wine/report.bin" info oss://wine/report.bin
expect "info says integrity: verified" \
	grep -qx 'integrity: verified' "$work/cli.out"
expect "info names the key that opened it" grep -qx 'opened-by: me' "$work/cli.out"
kill "$serve_pid" 2>/dev/null
wait "$serve_pid" 2>/dev/null || true
serve_pid=""

# The same OSSVAULT_HOME: with the key made above, the window opens on
# the files of This computer rather than on making a first key.
echo "== the window on This computer"
ready=$work/ready
OSSVAULT_READY_FILE=$(win "$ready") wine "$exe" --local >"$work/app.out" 2>"$work/app.err" &
app_pid=$!
# The first start of a Fyne window in a fresh prefix is slow; the bound is
# generous and the wait ends as soon as the file appears.
for _ in $(seq 1800); do
	[ -e "$ready" ] && break
	kill -0 "$app_pid" 2>/dev/null || break
	sleep 0.1
done
if [ -e "$ready" ]; then
	ok "ossvault.exe --local shows the demo bucket on This computer (ready file written)"
else
	fail "ossvault.exe --local did not show its store (no ready file)"
	sed 's/^/     /' "$work/app.out" "$work/app.err"
fi
expect "X has a window named ossvault" bash -c "xwininfo -root -tree | grep -qi '\"ossvault'"
expect "the app keeps its store in its data folder" test -d "$work/home/local/buckets/demo"

checks_end
