//go:build !((linux && !android) || freebsd || openbsd || netbsd || dragonfly)

package ui

// checkDisplay always succeeds: Windows and macOS always have a desktop for
// a program the user starts.
func checkDisplay(func(string) string) error { return nil }

func displayEnv(string) string { return "" }
