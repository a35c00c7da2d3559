// Package version reports the build's version string.
package version

import "runtime/debug"

// Version is set at link time by the Makefile and the packaging scripts
// (-ldflags "-X github.com/ossvault/ossvault/internal/version.Version=...").
var Version = ""

// String returns the version, falling back to the module version recorded by
// the Go toolchain, then to "dev".
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
