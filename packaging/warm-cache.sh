#!/usr/bin/env bash
# Compiles what the packaging check will need into the Go build cache, with
# the flags the packaging scripts use, so that the check itself mostly
# links: the Windows build's dependencies (Fyne's GLFW and OpenGL C code,
# cross-compiled with mingw-w64) and the pinned fyne and go-winres tools.
#
# Cold, the Windows half takes minutes on one core (one large cgo package
# at a time), so `make test` runs this beside lint, before the packaging
# check starts. Nothing is kept but the cache.
#
# usage: packaging/warm-cache.sh      (installs mingw-w64 when run as root)
set -euo pipefail
# shellcheck source=packaging/lib.sh
. "$(dirname "$0")/lib.sh"

need x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64
cd "$ROOT"
GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc "$GO" build -trimpath -buildvcs=false -o /dev/null . ||
	die "go build for windows/amd64 failed"
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
for tool in "$FYNE_TOOL" "$WINRES_TOOL"; do
	GOBIN=$tools "$GO" install "$tool" || die "failed to build $tool"
done
