// Package assets holds ossvault's application icon: the vector source
// icon.svg and its PNG renderings (made by render.sh), so the desktop app can
// set its window icon from the same drawing the native packages install.
package assets

import _ "embed"

// The embedded files are strings so no caller can change them; the accessors
// hand out copies.
var (
	//go:embed icon.svg
	iconSVG string
	//go:embed icon-256.png
	iconPNG string
)

// IconSVG returns the icon's vector source. Each call returns a new slice.
func IconSVG() []byte { return []byte(iconSVG) }

// IconPNG returns the icon as a 256×256 PNG with a transparent background
// outside its rounded square. Each call returns a new slice.
func IconPNG() []byte { return []byte(iconPNG) }
