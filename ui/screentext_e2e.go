//go:build e2e

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// A build for end-to-end tests describes its screen (screentext.go). Fyne's
// test package is the one public way to a widget's renderer; it also makes
// a test app at start-up, which the real one replaces as soon as it is made.
func init() {
	screenKids = func(w fyne.Widget) []fyne.CanvasObject { return test.WidgetRenderer(w).Objects() }
}
