//go:build (linux && !android) || freebsd || openbsd || netbsd || dragonfly

package ui

import "os"

// checkDisplay reports errNoDisplay when there is neither an X11 nor a
// Wayland display to open the window on; GLFW would otherwise panic.
func checkDisplay(getenv func(string) string) error {
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return errNoDisplay
	}
	return nil
}

func displayEnv(key string) string { return os.Getenv(key) }
