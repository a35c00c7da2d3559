#!/usr/bin/env bash
# Builds every package this machine can build into dist/ and prints their
# paths and sizes:
#   on Linux: ossvault-VERSION-linux-ARCH.tar.xz (fyne package),
#             ossvault_DEBVERSION_ARCH.deb, and the signed
#             ossvault-VERSION-windows-amd64.exe (cross-compiled)
#   on macOS: ossvault-VERSION-macos-universal.dmg
# plus SHA256SUMS. The version is `git describe --tags --always --dirty`;
# every file time inside a package is the last commit's (SOURCE_DATE_EPOCH),
# builds use -trimpath and no VCS stamp, so the same commit gives the same
# .deb, tar.xz and unsigned exe. The Windows signature is made with
# OSSVAULT_SIGN_PKCS12 / OSSVAULT_SIGN_PASSWORD when set, otherwise with a
# throw-away certificate (packaging/windows/sign.sh).
#
# usage: packaging/build.sh
set -euo pipefail
# shellcheck source=packaging/lib.sh
. "$(dirname "$0")/lib.sh"

version_facts
source_date_epoch
echo "ossvault $VERSION (package version $DEB_VERSION), file times $(date -u -d "@$SOURCE_DATE_EPOCH" +%FT%TZ 2>/dev/null || echo "@$SOURCE_DATE_EPOCH")"

mkdir -p "$DIST"
rm -f "$DIST"/ossvault-* "$DIST"/ossvault_*.deb "$DIST/SHA256SUMS"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

here=$ROOT/packaging
case "$(uname -s)" in
Linux)
	arch=$("$GO" env GOARCH)
	go_build linux "$arch" "$work/ossvault"
	"$here/linux/build-tar.sh" "$work/ossvault" "$DIST/ossvault-$VERSION-linux-$arch.tar.xz" >/dev/null
	"$here/linux/build-deb.sh" "$work/ossvault" "$DIST" >/dev/null
	"$here/windows/build-exe.sh" "$DIST/ossvault-$VERSION-windows-amd64.exe" >/dev/null
	;;
Darwin)
	"$here/macos/build.sh" "$DIST" >/dev/null
	;;
*)
	die "no packages are built on $(uname -s)"
	;;
esac

sha256=(sha256sum)
command -v sha256sum >/dev/null || sha256=(shasum -a 256) # macOS
(
	cd "$DIST"
	shopt -s nullglob
	files=(ossvault*)
	[ ${#files[@]} -gt 0 ] || die "no packages were written to $DIST"
	"${sha256[@]}" "${files[@]}" >SHA256SUMS
)
echo "packages in $DIST:"
while read -r _ f; do
	human_size "$DIST/$f"
done <"$DIST/SHA256SUMS"
