package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// An empty folder shows a drop zone across the whole file list: a framed
// area with a large upload sign and the sentence saying files dropped here
// are uploaded. A line of small print under an empty pane went unseen. The
// zone takes no events, so a drop or a click lands on the list under it.

type dropZone struct {
	zone *fyne.Container
}

func newDropZone() *dropZone {
	frame := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	frame.StrokeColor = theme.Color(theme.ColorNamePrimary)
	frame.StrokeWidth = 2
	frame.CornerRadius = theme.Size(theme.SizeNameInputRadius) * 2
	icon := canvas.NewImageFromResource(theme.UploadIcon())
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(64))
	text := widget.NewLabelWithStyle(lang.L("This folder is empty. Drop files here to upload them."), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	text.Wrapping = textWrap()
	// The sentence wraps within the zone in a narrow window, and is never
	// narrower than a line a person reads at a glance.
	middle := container.NewVBox(icon, container.New(atLeastWide{440}, text))
	z := &dropZone{zone: container.NewPadded(container.NewStack(frame, container.NewCenter(middle)))}
	z.zone.Hide()
	return z
}

// show shows the zone when the folder is known to be empty.
func (z *dropZone) show(empty bool) {
	if empty == z.zone.Visible() {
		return
	}
	if empty {
		z.zone.Show()
	} else {
		z.zone.Hide()
	}
}

// atLeastWide lays out one object at least w wide, or as wide as its space
// when that is less.
type atLeastWide struct{ w float32 }

func (m atLeastWide) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := objs[0].MinSize()
	return fyne.NewSize(max(s.Width, m.w), s.Height)
}

func (m atLeastWide) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Resize(size)
	objs[0].Move(fyne.Position{})
}
