package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// wrapStack lays its objects out top to bottom, as a VBox does, but gives
// each its width before it asks for its height. A wrapping label is as
// tall as its lines at the width it has; a VBox asks first and resizes
// after, so a label that a narrower window wrapped onto two lines got the
// room of one, and its second line ran over what came below it.
type wrapStack struct{}

// newWrapStack is a container of objs laid out by wrapStack.
func newWrapStack(objs ...fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: wrapStack{}, Objects: objs}
}

func (wrapStack) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		o.Resize(fyne.NewSize(size.Width, o.Size().Height))
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h + theme.Padding()
	}
}

func (wrapStack) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	n := 0
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		w = max(w, m.Width)
		h += m.Height
		n++
	}
	if n > 1 {
		h += float32(n-1) * theme.Padding()
	}
	return fyne.NewSize(w, h)
}
