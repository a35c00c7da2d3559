#!/usr/bin/env bash
# Cross-compiles the 64-bit Windows GUI executable with mingw-w64, with the
# icon, version information and manifest from winres.json, and signs it
# (sign.sh: a real certificate from OSSVAULT_SIGN_* or a throw-away one).
#
# usage: packaging/windows/build-exe.sh OUT.exe
#
# The resources are compiled by go-winres into a .syso object that `go build`
# links in. The go command only picks .syso files up from the main package's
# own folder, so the object sits in the checkout's top folder for the length
# of the build and is removed afterwards, however the build ends.
set -euo pipefail
# shellcheck source=packaging/lib.sh
. "$(dirname "$0")/../lib.sh"

[ $# -eq 1 ] || die "usage: $0 OUT.exe"
out=$1

need x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64
version_facts

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
syso=$ROOT/rsrc_windows_amd64.syso
trap 'rm -rf "$work" "$syso"' EXIT

# Windows wants four numbers; the fourth counts commits since the release tag.
file_version=$NUM_VERSION.$COMMITS_SINCE_TAG
# go-winres reads files relative to the JSON file (even paths that look
# absolute), so the icons are copied next to the filled-in copy.
cp "$ROOT"/assets/icon-*.png "$work/"
sed -e "s|@ASSETS@|.|g" -e "s|@FILE_VERSION@|$file_version|g" -e "s|@VERSION@|$VERSION|g" \
	"$here/winres.json" >"$work/winres.json"
(cd "$work" && "$GO" run "$WINRES_TOOL" make --in winres.json --arch amd64 --out rsrc) ||
	die "go-winres failed"
mv "$work/rsrc_windows_amd64.syso" "$syso"

CC=x86_64-w64-mingw32-gcc go_build windows amd64 "$work/ossvault.exe" -H=windowsgui
rm -f "$syso"

mkdir -p "$(dirname "$out")"
"$here/sign.sh" "$work/ossvault.exe" "$out"
echo "$out"
