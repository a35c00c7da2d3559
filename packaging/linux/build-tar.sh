#!/usr/bin/env bash
# Builds the Linux tar.xz (binary, .desktop file, icon and a Makefile for
# `make install` / `make user-install`) with `fyne package`, from an already
# built binary so the app is compiled once, with our flags, for every package.
#
# usage: packaging/linux/build-tar.sh BINARY OUT.tar.xz
#
# fyne package stamps each file with the current time and the builder's
# owner; the archive is repacked with SOURCE_DATE_EPOCH, root ownership and a
# sorted file order so the same commit gives the same bytes.
set -euo pipefail
# shellcheck source=packaging/lib.sh
. "$(dirname "$0")/../lib.sh"

[ $# -eq 2 ] || die "usage: $0 BINARY OUT.tar.xz"
bin=$(realpath "$1")
out=$2
[ -x "$bin" ] || die "$bin is not an executable"

need tar:tar xz:xz-utils
source_date_epoch

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fyne package reads FyneApp.toml from its source folder and then raises the
# Build number in it; a staged copy keeps the checkout untouched. It also
# refuses a folder without Go code, although with --executable it compiles
# nothing, hence main.go alongside.
src=$work/src
mkdir -p "$src/assets"
cp "$ROOT/FyneApp.toml" "$ROOT/main.go" "$src/"
cp "$ROOT/$(fyneapp_value Icon)" "$src/assets/"
cp "$bin" "$src/ossvault"

(cd "$src" && "$GO" run "$FYNE_TOOL" package --target linux --executable ossvault --release) ||
	die "fyne package failed"
[ -f "$src/ossvault.tar.xz" ] || die "fyne package wrote no ossvault.tar.xz"

mkdir -p "$work/tree"
tar -xJf "$src/ossvault.tar.xz" -C "$work/tree"
top=$(ls "$work/tree")
[ "$(printf '%s\n' "$top" | wc -l)" = 1 ] || die "unexpected layout in fyne's archive: $top"

mkdir -p "$(dirname "$out")"
reproducible_tar "$work/tree" "$top" "$out"
echo "$out"
