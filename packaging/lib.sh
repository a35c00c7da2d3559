# shellcheck shell=bash
# Helpers shared by the packaging scripts; source it, don't run it.
#
# After sourcing, these are set (each may be given in the environment instead):
#   ROOT               the checkout's top folder
#   VERSION            what `ossvault --version` prints: git describe --tags --always --dirty
#   NUM_VERSION        VERSION as dotted numbers for package managers: 1.2.3
#   DEB_VERSION        VERSION in Debian's grammar: 1.2.3, 1.2.3+4.gabc1234, 0.1.0~git.abc1234
#   COMMITS_SINCE_TAG  commits since the last v* tag (0 on a tag); the Windows build number
#   BUILD_NUMBER       commits in the history, always rising; macOS's CFBundleVersion
#   SOURCE_DATE_EPOCH  the last commit's time, used for every file time in a package
#   DIST               output folder (ROOT/dist)
#   GO                 the go command

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIST=${DIST:-$ROOT/dist}
GO=${GO:-go}
MODULE=github.com/ossvault/ossvault

# Pinned tool versions, run with `go run pkg@version` so their dependencies
# never enter the app's go.mod (fyne.io/tools v1.7.4 requires a newer Fyne
# than the app pins).
export FYNE_TOOL=fyne.io/tools/cmd/fyne@v1.7.4
export WINRES_TOOL=github.com/tc-hib/go-winres@v0.3.3

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# fyneapp_value KEY prints KEY's value from FyneApp.toml's [Details] table.
fyneapp_value() {
	awk -v key="$1" '
		/^\[/ { in_details = ($0 == "[Details]") }
		in_details && $1 == key && $2 == "=" {
			sub(/^[^=]*=[ \t]*/, ""); gsub(/"/, ""); print; exit
		}' "$ROOT/FyneApp.toml"
}

# need CMD:PACKAGE... makes sure each command exists, installing the Debian
# package that provides it when running as root, and naming it otherwise.
need() {
	local pair cmd missing=()
	for pair in "$@"; do
		cmd=${pair%%:*}
		command -v "$cmd" >/dev/null || missing+=("${pair#*:}")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		die "missing tools; install them with: sudo apt-get install ${missing[*]}"
	fi
	echo "installing: ${missing[*]}" >&2
	# apt-get update only when the package lists are absent or a day old: it is
	# the slow half of an install and CI machines are often freshly updated.
	if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
		apt-get update -qq || die "apt-get update failed"
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "failed to install ${missing[*]}"
}

# version_facts sets VERSION, NUM_VERSION, DEB_VERSION and COMMITS_SINCE_TAG.
version_facts() {
	VERSION=${VERSION:-$(git -C "$ROOT" describe --tags --always --dirty 2>/dev/null || echo dev)}
	local base count=0 hash="" dirty="" rest
	if [[ $VERSION =~ ^v([0-9]+\.[0-9]+\.[0-9]+)(-(.*))?$ ]]; then
		base=${BASH_REMATCH[1]}
		rest=${BASH_REMATCH[3]}
		if [[ $rest =~ ^([0-9]+)-g([0-9a-f]+)(-dirty)?$ ]]; then
			count=${BASH_REMATCH[1]} hash=${BASH_REMATCH[2]} dirty=${BASH_REMATCH[3]:+.dirty}
		elif [ "$rest" = dirty ]; then
			dirty=.dirty
		fi
		if [ -n "$hash" ]; then
			DEB_VERSION=$base+$count.g$hash$dirty
		elif [ -n "$dirty" ]; then
			DEB_VERSION=$base+0$dirty
		else
			DEB_VERSION=$base
		fi
	else
		# No release tag yet: number the build after FyneApp.toml and sort it
		# before that release (~), naming the commit.
		base=$(fyneapp_value Version)
		[[ $base =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "FyneApp.toml [Details] Version must be x.y.z, got '$base'"
		rest=${VERSION//-/.}
		DEB_VERSION=$base~git.${rest//[^0-9A-Za-z.]/}
	fi
	NUM_VERSION=$base
	COMMITS_SINCE_TAG=$count
	BUILD_NUMBER=${BUILD_NUMBER:-$(git -C "$ROOT" rev-list --count HEAD 2>/dev/null || echo 1)}
	export VERSION NUM_VERSION DEB_VERSION COMMITS_SINCE_TAG BUILD_NUMBER
}

# source_date_epoch sets SOURCE_DATE_EPOCH to the last commit's time.
source_date_epoch() {
	SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 0)}
	export SOURCE_DATE_EPOCH
}

# go_build GOOS GOARCH OUT [EXTRA_LDFLAGS] builds the app reproducibly: no
# local paths, no VCS stamp (the version is given explicitly), stripped.
go_build() {
	local goos=$1 goarch=$2 out=$3 extra=${4:-}
	mkdir -p "$(dirname "$out")"
	(cd "$ROOT" && GOOS=$goos GOARCH=$goarch CGO_ENABLED=1 "$GO" build \
		-trimpath -buildvcs=false \
		-ldflags "-s -w -X $MODULE/internal/version.Version=$VERSION $extra" \
		-o "$out" .) || die "go build for $goos/$goarch failed"
}

# reproducible_tar DIR NAME OUT.tar.xz packs DIR/NAME with fixed owners,
# order and times so the same tree always gives the same bytes.
reproducible_tar() {
	local dir=$1 name=$2 out=$3
	tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
		--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
		-C "$dir" -cf - "$name" | xz -9 --threads=1 >"$out" || die "failed to write $out"
}

# package_state prints dpkg's state of the ossvault package: "installed",
# "config-files" (removed, not purged), another dpkg state, or "unknown" when
# dpkg has never heard of it.
package_state() {
	dpkg-query -W -f='${Status}' ossvault 2>/dev/null | awk '{ print $3; found = 1 } END { if (!found) print "unknown" }'
}

# human_size FILE prints FILE's size in bytes and MiB.
human_size() {
	local bytes
	bytes=$(wc -c <"$1" | tr -d ' ')
	awk -v b="$bytes" -v f="$1" 'BEGIN { printf "%-60s %10d bytes  %6.1f MiB\n", f, b, b / 1048576 }'
}

# The checks (check.sh, wine-check.sh) report with these: ok and fail print
# a result line and count it; expect DESCRIPTION COMMAND... runs COMMAND and
# records whether it succeeded, showing its output when it did not; same A B
# is a predicate for expect; checks_end prints the counts and fails if any
# check did.
checks_passed=0
checks_failed=0
ok() {
	checks_passed=$((checks_passed + 1))
	echo "ok   $*"
}
fail() {
	checks_failed=$((checks_failed + 1))
	echo "FAIL $*"
}
expect() {
	local what=$1 log
	shift
	log=$(mktemp)
	if "$@" >"$log" 2>&1; then
		ok "$what"
	else
		fail "$what"
		sed 's/^/     /' "$log"
	fi
	rm -f "$log"
}
same() {
	[ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }
}
checks_end() {
	echo "$checks_passed passed, $checks_failed failed"
	[ "$checks_failed" = 0 ]
}
