#!/usr/bin/env bash
# Builds the Debian package from an already built Linux binary.
#
# usage: packaging/linux/build-deb.sh BINARY OUTDIR
#
# Prints the path of the .deb it wrote. The package's Depends line comes from
# dpkg-shlibdeps reading the binary, so it names exactly the GL and X
# libraries it links, at the versions of the machine that built it: build on
# the oldest release you support.
#
# Environment: VERSION, SOURCE_DATE_EPOCH (see ../lib.sh), OSSVAULT_MAINTAINER
# (the control file's Maintainer field).
set -euo pipefail
# shellcheck source=packaging/lib.sh
. "$(dirname "$0")/../lib.sh"

[ $# -eq 2 ] || die "usage: $0 BINARY OUTDIR"
bin=$1
outdir=$2
[ -x "$bin" ] || die "$bin is not an executable"

need dpkg-deb:dpkg dpkg-shlibdeps:dpkg-dev xz:xz-utils
version_facts
source_date_epoch

here=$(cd "$(dirname "$0")" && pwd)
arch=$(dpkg --print-architecture)
app_id=$(fyneapp_value ID)
maintainer=${OSSVAULT_MAINTAINER:-ossvault maintainers <ossvault@users.noreply.github.com>}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
umask 022

install -D -m 0755 "$bin" "$root/usr/bin/ossvault"
install -D -m 0644 "$here/$app_id.desktop" "$root/usr/share/applications/$app_id.desktop"
for png in "$ROOT"/assets/icon-*.png; do
	size=${png##*/icon-}
	size=${size%.png}
	install -D -m 0644 "$png" "$root/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png"
done
install -D -m 0644 "$ROOT/assets/icon.svg" "$root/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
mkdir -p "$root/usr/share/metainfo"
sed -e "s/@VERSION@/$DEB_VERSION/" -e "s/@DATE@/$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)/" \
	"$here/$app_id.metainfo.xml" >"$root/usr/share/metainfo/$app_id.metainfo.xml"
chmod 0644 "$root/usr/share/metainfo/$app_id.metainfo.xml"

# dpkg-shlibdeps insists on a source package's debian/control even when it
# is only asked about one binary.
mkdir -p "$work/src/debian"
printf 'Source: ossvault\n\nPackage: ossvault\nArchitecture: any\n' >"$work/src/debian/control"
depends=$(cd "$work/src" && dpkg-shlibdeps -O -e"$root/usr/bin/ossvault" 2>"$work/shlibdeps.log") ||
	{ cat "$work/shlibdeps.log" >&2; die "dpkg-shlibdeps failed"; }
depends=${depends#shlibs:Depends=}
[ -n "$depends" ] || die "dpkg-shlibdeps found no libraries; is $bin a dynamically linked Linux binary?"

mkdir -p "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<EOF
Package: ossvault
Version: $DEB_VERSION
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --apparent-size "$root/usr" | cut -f1)
Depends: $depends
Recommends: gnome-keyring | kwalletmanager | keepassxc
Section: net
Priority: optional
Homepage: https://github.com/ossvault/ossvault
Description: encrypted file exchange through Alibaba Cloud OSS
 ossvault lets office staff exchange sensitive files through Alibaba Cloud
 Object Storage Service without the cloud provider, or anyone who intercepts
 a transfer, ever seeing their contents. Files are encrypted on this computer
 in OSS's own client-side encryption format, so they interoperate with the
 official Alibaba Cloud SDKs. Secrets are kept in the desktop's keyring
 (Secret Service), hence the recommended keyring daemons.
 .
 The package installs the desktop app and the ossvault command line.
EOF
install -m 0755 "$here/postinst" "$here/postrm" "$root/DEBIAN/"
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

# Every file time is the last commit's, so the same commit gives the same .deb.
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$outdir"
out=$outdir/ossvault_${DEB_VERSION}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null || die "dpkg-deb failed"
echo "$out"
