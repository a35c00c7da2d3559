package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/assets"
	"github.com/ossvault/ossvault/internal/version"
)

// appIcon is the icon the packages install, also used for the window, the
// app and the About box, so all of them show the same drawing.
var appIcon = fyne.NewStaticResource("ossvault.png", assets.IconPNG())

// aboutContent is what the About box shows: icon, name, version and what the
// app is for, in words an office user understands.
func aboutContent() fyne.CanvasObject {
	icon := canvas.NewImageFromResource(appIcon)
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSize(96, 96))
	name := widget.NewLabelWithStyle(windowTitle, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	ver := widget.NewLabelWithStyle(lang.L("Version {{.Version}}", map[string]any{"Version": version.String()}),
		fyne.TextAlignCenter, fyne.TextStyle{})
	what := widget.NewLabelWithStyle(lang.L("ossvault locks your files on this computer before they go to cloud storage, so only the people you choose can open them."),
		fyne.TextAlignCenter, fyne.TextStyle{})
	what.Wrapping = textWrap()
	return container.NewVBox(container.NewCenter(icon), name, ver, what)
}

// showAbout opens the About box over the window.
func (u *appUI) showAbout() *dialog.CustomDialog {
	d := u.newCustom(lang.L("About ossvault"), lang.L("Close"), aboutContent())
	d.Resize(fyne.NewSize(420, 0))
	u.showNotice(d)
	return d
}
