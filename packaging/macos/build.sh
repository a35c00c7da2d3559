#!/usr/bin/env bash
# Builds ossvault.app and ossvault-VERSION-macos-universal.dmg on a Mac: one
# universal binary (arm64 + amd64, joined with lipo) so a single download
# runs natively on Apple Silicon and on Intel Macs.
#
# usage: packaging/macos/build.sh [OUTDIR]     (default OUTDIR: dist)
#
# Needs Xcode's command line tools (clang, lipo, codesign, hdiutil, plutil) and Go.
# Environment (all optional):
#   OSSVAULT_MACOS_SIGN_IDENTITY  a codesign identity in the keychain, e.g.
#                                 "Developer ID Application: Example Ltd (TEAMID)";
#                                 without it the app is ad-hoc signed, which
#                                 runs here but meets Gatekeeper's warning elsewhere
#   OSSVAULT_NOTARY_KEY           path to an App Store Connect API key (.p8)
#   OSSVAULT_NOTARY_KEY_ID        its key ID
#   OSSVAULT_NOTARY_ISSUER        its issuer ID
#                                 with all three (and a signing identity) the
#                                 .dmg is notarized and the ticket stapled
set -euo pipefail
# shellcheck source=packaging/lib.sh
. "$(dirname "$0")/../lib.sh"

[ "$(uname -s)" = Darwin ] || die "builds macOS packages only on macOS"
outdir=${1:-$DIST}
for c in clang lipo codesign hdiutil plutil; do
	command -v "$c" >/dev/null || die "$c is missing; install Xcode's command line tools (xcode-select --install)"
done
version_facts
source_date_epoch

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export MACOSX_DEPLOYMENT_TARGET=11.0
export CGO_CFLAGS="-mmacosx-version-min=$MACOSX_DEPLOYMENT_TARGET" CGO_LDFLAGS="-mmacosx-version-min=$MACOSX_DEPLOYMENT_TARGET"
go_build darwin arm64 "$work/ossvault-arm64"
go_build darwin amd64 "$work/ossvault-amd64"
lipo -create -output "$work/ossvault" "$work/ossvault-arm64" "$work/ossvault-amd64"

# fyne package writes Info.plist (ID, name, version from FyneApp.toml) and
# icon.icns; it runs on a staged FyneApp.toml because it raises Build in it.
src=$work/src
mkdir -p "$src/assets"
cp "$ROOT/FyneApp.toml" "$ROOT/main.go" "$src/"
cp "$ROOT/$(fyneapp_value Icon)" "$src/assets/"
(cd "$src" && "$GO" run "$FYNE_TOOL" package --target darwin --executable "$work/ossvault" \
	--app-version "$NUM_VERSION" --app-build "$BUILD_NUMBER" --release) || die "fyne package failed"
app=$src/ossvault.app
[ -d "$app" ] || die "fyne package made no ossvault.app"
# fyne leaves the category empty ("public.app-category.") and claims 10.11,
# older than the binary supports; both are corrected before signing.
plutil -replace LSApplicationCategoryType -string public.app-category.productivity "$app/Contents/Info.plist"
plutil -replace LSMinimumSystemVersion -string "$MACOSX_DEPLOYMENT_TARGET" "$app/Contents/Info.plist"

identity=${OSSVAULT_MACOS_SIGN_IDENTITY:--}
if [ "$identity" = - ]; then
	codesign --force --sign - "$app"
else
	# The hardened runtime and a secure timestamp are what notarization requires.
	codesign --force --options runtime --timestamp --sign "$identity" "$app"
fi
codesign --verify --strict --verbose=2 "$app"

mkdir -p "$work/dmg" "$outdir"
cp -R "$app" "$work/dmg/"
ln -s /Applications "$work/dmg/Applications"
dmg=$outdir/ossvault-$VERSION-macos-universal.dmg
rm -f "$dmg"
hdiutil create -quiet -volname ossvault -srcfolder "$work/dmg" -fs HFS+ -format UDZO "$dmg"
if [ "$identity" != - ]; then
	codesign --force --timestamp --sign "$identity" "$dmg"
	if [ -n "${OSSVAULT_NOTARY_KEY:-}" ] && [ -n "${OSSVAULT_NOTARY_KEY_ID:-}" ] && [ -n "${OSSVAULT_NOTARY_ISSUER:-}" ]; then
		xcrun notarytool submit "$dmg" --key "$OSSVAULT_NOTARY_KEY" --key-id "$OSSVAULT_NOTARY_KEY_ID" \
			--issuer "$OSSVAULT_NOTARY_ISSUER" --wait
		xcrun stapler staple "$dmg"
	fi
fi
echo "$dmg"
