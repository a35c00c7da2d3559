// Package ui is the ossvault desktop app, built with Fyne. It talks to the
// logic packages (vault, transfer, envelope) only through their Go APIs.
package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/internal/cli"
	"github.com/ossvault/ossvault/internal/version"
)

// AppID is the application identifier, shared with FyneApp.toml.
const AppID = "io.ossvault.app"

// Run opens the main window and blocks until it is closed.
func Run(opts cli.AppOptions) error {
	a := app.NewWithID(AppID)
	w := a.NewWindow("ossvault")
	w.SetContent(container.NewCenter(widget.NewLabel("ossvault " + version.String())))
	w.Resize(fyne.NewSize(1024, 768))
	w.ShowAndRun()
	return nil
}
