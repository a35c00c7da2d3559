# ossvault: build, run and test.
#
#   make run    set up this machine, build, and open the app on the local endpoint
#   make test   set up this machine and run every check and test
#
# Both install the Debian/Ubuntu packages they need with apt-get when run as
# root; otherwise they name the packages to install and stop.

SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/ossvault/ossvault/internal/version.Version=$(VERSION)
BIN := bin/ossvault
TEST_TIMEOUT ?= 20m
# The same flags as the packaging builds, so tests, vet and packages share
# one compiled copy of Fyne in the build cache instead of two.
export GOFLAGS += -trimpath -buildvcs=false

# Packages: C toolchain and X11/OpenGL headers for Fyne, and the services the
# tests talk to (session bus, gnome-keyring, Xvfb).
BUILD_PKGS := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev
TEST_PKGS := dbus gnome-keyring xvfb x11-utils zenity
CHECK_CMDS := gcc pkg-config Xvfb dbus-run-session gnome-keyring-daemon xdpyinfo zenity

.PHONY: all deps build run test ci-unit ci-package-check warm-cache lint unit fuzz package package-check wine-check clean

all: build

deps:
	@missing=""; \
	for c in $(CHECK_CMDS); do command -v $$c >/dev/null || missing=1; done; \
	for h in GL/gl.h X11/Xlib.h X11/Xcursor/Xcursor.h X11/extensions/Xrandr.h \
		X11/extensions/Xinerama.h X11/extensions/XInput2.h X11/extensions/xf86vmode.h; do \
		[ -e /usr/include/$$h ] || missing=1; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing system packages: $(BUILD_PKGS) $(TEST_PKGS)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				$(BUILD_PKGS) $(TEST_PKGS) >/dev/null || exit 1; \
		else \
			echo "ossvault needs these packages; install them with:"; \
			echo "  sudo apt-get install $(BUILD_PKGS) $(TEST_PKGS)"; \
			exit 1; \
		fi; \
	fi
	@command -v $(GO) >/dev/null || { echo "Go 1.26 or newer is needed: https://go.dev/dl/"; exit 1; }

build: deps
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

run: build
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		echo "no display: starting the app under Xvfb is not useful; run 'make run' from a desktop session"; exit 1; fi
	./$(BIN) --local

# What runs when, to keep a cold run (empty Go caches) short on two cores:
# the packaging check's own compiles (the Windows cross-build of Fyne's C
# code, minutes on one core, and the fyne and go-winres tools) start at once
# beside lint (warm-cache); once lint is done the tests run, and once both
# lint and warm-cache are done the packaging check runs beside them, reusing
# lint's Linux compile and the warmed cache. (Two go commands compiling the
# same package at once both do the work, hence the ordering.) Each part's
# output is printed when it ends.
test: deps
	@$(MAKE) --no-print-directory -j3 --output-sync=target ci-unit ci-package-check

ci-unit: lint
	@$(MAKE) --no-print-directory unit

ci-package-check: lint warm-cache
	@$(MAKE) --no-print-directory package-check

warm-cache: deps
	@if [ "$$(id -u)" = 0 ]; then packaging/warm-cache.sh; fi

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@# The build the end-to-end tests run, which describes its screen.
	$(GO) vet -tags e2e ./ui/
	$(GO) tool staticcheck -tags e2e ./ui/
	@$(GO) mod tidy -diff || { echo "go.mod or go.sum is not tidy: run go mod tidy"; exit 1; }

unit:
	internal/testenv/with-services.sh $(GO) test -timeout $(TEST_TIMEOUT) ./...

# Runs every fuzz target for FUZZTIME each, one at a time.
FUZZTIME ?= 5m
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
		for t in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/^func //'); do \
			echo "== $$pkg $$t"; \
			$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

# Native packages for every system this machine can build for, into dist/.
package: deps
	packaging/build.sh

# Builds the .deb and the signed Windows exe, installs the .deb, runs it,
# removes it (packaging/README.md). Installing needs root, as CI runs.
package-check: deps
	@if [ "$$(id -u)" = 0 ]; then packaging/check.sh; \
	else echo "packaging/check.sh skipped: it installs the .deb, so it needs root (CI runs it as root)"; fi

# Runs the Windows exe under Wine: the command line against a Linux
# serve-local, and the window on its own store (packaging/wine-check.sh).
# Not part of `make test` (it installs Wine): packaging/README.md, "Windows
# under Wine".
wine-check: deps
	packaging/wine-check.sh

clean:
	rm -rf bin dist
