#!/usr/bin/env bash
# Checks the native packages the way a user meets them, on this machine:
#
#   - the icon PNGs match icon.svg, and every packaging script is shellcheck-clean
#   - the .deb builds, twice to the same bytes, and carries every file it should
#   - `dpkg -i` installs it; /usr/bin/ossvault --version prints this build's
#     version; the installed desktop entry and AppStream file validate and point
#     at the installed binary and icons
#   - `dpkg -r` removes it and leaves the system's files as they were before;
#     `dpkg -P` then drops dpkg's record of it
#   - the fyne tar.xz builds, twice to the same bytes, and holds a valid desktop
#     entry, the icon and a binary that runs
#   - (unless --no-windows) the Windows exe cross-compiles as a GUI program with
#     its version resource, is signed with a throw-away certificate, verifies,
#     and stops verifying once a byte of it changes
#
# usage: packaging/check.sh [--no-windows]
#
# It installs and removes the ossvault package, so it runs only as root, and
# refuses to replace an ossvault that is already installed unless CI=true (a
# CI machine is disposable). The tools it needs are installed with apt-get.
# Builds go through the Go build cache, so a second run skips compiling.
set -euo pipefail
# shellcheck source=packaging/lib.sh
. "$(dirname "$0")/lib.sh"

windows=1
case "${1:-}" in
"") ;;
--no-windows) windows=0 ;;
*) die "usage: $0 [--no-windows]" ;;
esac

[ "$(id -u)" = 0 ] || die "run as root: the check installs and removes the .deb with dpkg"
need dpkg-deb:dpkg dpkg-shlibdeps:dpkg-dev desktop-file-validate:desktop-file-utils \
	appstreamcli:appstream rsvg-convert:librsvg2-bin shellcheck:shellcheck file:file xz:xz-utils
if [ "$windows" = 1 ]; then
	need x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64 osslsigncode:osslsigncode openssl:openssl \
		x86_64-w64-mingw32-objdump:binutils-mingw-w64-x86-64 strings:binutils
fi
version_facts
source_date_epoch

app_id=$(fyneapp_value ID)
work=$(mktemp -d)
installed_by_us=0
cleanup() {
	if [ "$installed_by_us" = 1 ]; then
		dpkg -P ossvault >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# More predicates for expect (lib.sh has same); each prints what it saw
# when it fails.
differ() {
	[ "$1" != "$2" ] || { echo "got '$1'"; return 1; }
}
not() {
	! "$@"
}
in_root() {
	(cd "$ROOT" && "$@")
}
contains_all() {
	local s=$1 w
	shift
	for w in "$@"; do
		[[ $s == *"$w"* ]] || { echo "'$w' missing from '$s'"; return 1; }
	done
}
file_says() {
	local kind
	kind=$(file -b "$1")
	[[ $kind == *"$2"* ]] || { echo "file(1) says: $kind"; return 1; }
}
owned_by_root() {
	dpkg-deb --fsys-tarfile "$1" | tar -tv --numeric-owner | awk '$2 != "0/0" { print; bad = 1 } END { exit bad }'
}
signature_ok() {
	osslsigncode verify -ignore-cdp -CAfile "$1" -in "$2" | grep -q '^Signature verification: ok'
}

echo "== sources"
expect "assets/icon-*.png match assets/icon.svg" "$ROOT/assets/render.sh" --check
mapfile -t scripts < <(cd "$ROOT" && ls packaging/*.sh packaging/*/*.sh packaging/linux/postinst packaging/linux/postrm assets/render.sh)
expect "shellcheck: ${scripts[*]}" in_root shellcheck -x "${scripts[@]}"

# version_for DESCRIBE prints what lib.sh derives from a git describe
# output, in a fresh shell so this build's own version facts stay as they are.
version_for() {
	VERSION=$1 BUILD_NUMBER=1 bash -c \
		". \"\$0\" && version_facts && echo \"\$DEB_VERSION \$NUM_VERSION.\$COMMITS_SINCE_TAG\"" \
		"$ROOT/packaging/lib.sh"
}
base=$(fyneapp_value Version)
while read -r describe want; do
	expect "git describe $describe gives package version and Windows file version '$want'" \
		same "$(version_for "$describe")" "$want"
done <<EOF
v1.2.3 1.2.3 1.2.3.0
v1.2.3-dirty 1.2.3+0.dirty 1.2.3.0
v1.2.3-4-gabc1234 1.2.3+4.gabc1234 1.2.3.4
v10.0.1-12-gabc1234-dirty 10.0.1+12.gabc1234.dirty 10.0.1.12
abc1234 $base~git.abc1234 $base.0
abc1234-dirty $base~git.abc1234.dirty $base.0
EOF

echo "== .deb (version $VERSION)"
go_build linux amd64 "$work/bin/ossvault"
deb=$("$ROOT/packaging/linux/build-deb.sh" "$work/bin/ossvault" "$work/deb1")
deb2=$("$ROOT/packaging/linux/build-deb.sh" "$work/bin/ossvault" "$work/deb2")
expect "the .deb is reproducible (two builds, same bytes)" cmp "$deb" "$deb2"

expected_files=(
	./usr/bin/ossvault
	"./usr/share/applications/$app_id.desktop"
	"./usr/share/metainfo/$app_id.metainfo.xml"
	"./usr/share/icons/hicolor/scalable/apps/$app_id.svg"
)
for size in 16 32 48 64 128 256 512; do
	expected_files+=("./usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png")
done
dpkg-deb --fsys-tarfile "$deb" | tar -t | sort >"$work/deb-files"
for f in "${expected_files[@]}"; do
	expect "the .deb contains $f" grep -qxF "$f" "$work/deb-files"
done
expect "the .deb's files are owned by root" owned_by_root "$deb"
depends=$(dpkg-deb -f "$deb" Depends)
expect "Depends names the GL and X11 libraries the binary links ($depends)" \
	contains_all "$depends" libc6 libgl1 libx11-6

case "$(package_state)" in
unknown) ;;
config-files) dpkg -P ossvault >/dev/null ;; # left by an earlier run: no files, only dpkg's record
*)
	[ "${CI:-}" = true ] ||
		die "ossvault is already installed here; this check installs and then removes it, so run it on a CI machine or remove ossvault first"
	dpkg -P ossvault >/dev/null
	;;
esac

# Everything a package like ours may touch, before it is installed: after
# removal the same listing must come back.
snapshot() {
	find /usr/bin /usr/share/applications /usr/share/icons/hicolor /usr/share/metainfo \
		-maxdepth 3 2>/dev/null | sort
}
snapshot >"$work/before"

echo "== installed with dpkg -i"
installed_by_us=1
expect "dpkg -i installs the .deb" dpkg -i "$deb"
expect "dpkg reports ossvault $DEB_VERSION installed" \
	same "$(package_state) $(dpkg-query -W -f='${Version}' ossvault 2>&1)" "installed $DEB_VERSION"
got=$(/usr/bin/ossvault --version 2>/dev/null) || true
if [ "$got" = "ossvault $VERSION" ]; then
	ok "/usr/bin/ossvault --version printed '$got'"
else
	fail "/usr/bin/ossvault --version printed '$got', want 'ossvault $VERSION'"
fi

desktop=/usr/share/applications/$app_id.desktop
expect "desktop-file-validate $desktop" desktop-file-validate "$desktop"
exec_cmd=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop")
expect "the desktop entry's Exec ($exec_cmd) is /usr/bin/ossvault on PATH" \
	same "$(PATH=/usr/local/bin:/usr/bin:/bin command -v "$exec_cmd")" /usr/bin/ossvault
icon=$(sed -n 's/^Icon=//p' "$desktop")
expect "the desktop entry's Icon is the app ID" same "$icon" "$app_id"
for size in 16 32 48 64 128 256 512; do
	png=/usr/share/icons/hicolor/${size}x${size}/apps/$icon.png
	expect "$png is a ${size}x${size} PNG" file_says "$png" "PNG image data, $size x $size,"
done
expect "the scalable icon is an SVG" file_says "/usr/share/icons/hicolor/scalable/apps/$icon.svg" "SVG"

metainfo=/usr/share/metainfo/$app_id.metainfo.xml
expect "appstreamcli validate --no-net $metainfo" appstreamcli validate --no-net "$metainfo"
expect "the metainfo launches $app_id.desktop" grep -qF "<launchable type=\"desktop-id\">$app_id.desktop</launchable>" "$metainfo"
expect "the metainfo records release $DEB_VERSION" grep -qF "<release version=\"$DEB_VERSION\"" "$metainfo"

echo "== removed with dpkg -r"
expect "dpkg -r removes ossvault" dpkg -r ossvault
installed_by_us=0
# ossvault has no configuration files, but a package with maintainer scripts
# stays on dpkg's books as "config-files" until purged.
expect "dpkg lists ossvault as removed (config-files)" same "$(package_state)" config-files
left=()
while read -r f; do
	f=${f#.}
	[ -n "$f" ] && [ "$f" != / ] && [ ! -d "$f" ] && [ -e "$f" ] && left+=("$f")
done <"$work/deb-files"
if [ ${#left[@]} -eq 0 ]; then
	ok "every file the .deb installed is gone"
else
	fail "files left after dpkg -r: ${left[*]}"
fi
snapshot >"$work/after"
expect "the system's files are as they were before installing" diff "$work/before" "$work/after"
expect "dpkg -P purges the record" dpkg -P ossvault
expect "dpkg no longer knows ossvault" same "$(package_state)" unknown

echo "== fyne tar.xz"
tarball=$("$ROOT/packaging/linux/build-tar.sh" "$work/bin/ossvault" "$work/ossvault-linux-amd64.tar.xz")
tarball2=$("$ROOT/packaging/linux/build-tar.sh" "$work/bin/ossvault" "$work/again.tar.xz")
expect "the tar.xz is reproducible (two builds, same bytes)" cmp "$tarball" "$tarball2"
mkdir -p "$work/tar"
tar -xJf "$tarball" -C "$work/tar"
tar_desktop=$(find "$work/tar" -name "$app_id.desktop" | head -1)
if [ -n "$tar_desktop" ]; then
	expect "desktop-file-validate on the tarball's $app_id.desktop" desktop-file-validate "$tar_desktop"
else
	fail "the tarball has no $app_id.desktop"
fi
expect "the tarball has the icon as pixmaps/$app_id.png" \
	differ "$(find "$work/tar" -path "*/pixmaps/$app_id.png")" ""
expect "the tarball has its install Makefile" test -f "$work/tar/ossvault/Makefile"
tar_bin=$(find "$work/tar" -path '*/bin/ossvault' | head -1)
expect "the tarball's binary prints 'ossvault $VERSION'" \
	same "$("${tar_bin:-/missing}" --version 2>/dev/null)" "ossvault $VERSION"

if [ "$windows" = 1 ]; then
	echo "== Windows exe"
	exe=$work/ossvault.exe
	OSSVAULT_SIGN_PKCS12='' OSSVAULT_SIGN_EXPORT_CA=$work/ca.pem "$ROOT/packaging/windows/build-exe.sh" "$exe" >/dev/null
	x86_64-w64-mingw32-objdump -p "$exe" >"$work/pe.txt"
	expect "the exe is 64-bit (PE32+)" grep -q "^Magic.*PE32+" "$work/pe.txt"
	expect "the exe is a Windows GUI program" grep -q "^Subsystem.*(Windows GUI)" "$work/pe.txt"
	x86_64-w64-mingw32-objdump -h "$exe" >"$work/sections.txt"
	expect "the exe has a resource section (icon, manifest, version)" grep -q '\.rsrc' "$work/sections.txt"
	strings -el "$exe" | grep -A1 -x ProductVersion >"$work/product-version.txt" || true
	expect "the version resource says ProductVersion $VERSION" grep -qxF "$VERSION" "$work/product-version.txt"
	expect "osslsigncode verify accepts the signature against the throw-away CA" \
		signature_ok "$work/ca.pem" "$exe"
	# Flip one byte in the middle of the code: the signature must no longer verify.
	cp "$exe" "$work/tampered.exe"
	offset=$(($(stat -c %s "$exe") / 2))
	byte=$(od -An -tu1 -j "$offset" -N1 "$exe" | tr -d ' ')
	printf '%b' "\\0$(printf '%03o' $(((byte + 1) % 256)))" |
		dd of="$work/tampered.exe" bs=1 seek="$offset" conv=notrunc status=none
	expect "a changed byte makes osslsigncode verify fail" \
		not signature_ok "$work/ca.pem" "$work/tampered.exe"
fi

checks_end
