package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/layout"
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

// wrapBorder places a top and a bottom across the width and the center
// between them, as a border layout does with no sides, but gives the top
// and bottom their width before it asks for their height, for the same
// reason as wrapStack: a wrapping label in either was given the height of
// the lines it had at the width before. Objects: top, bottom, center;
// either edge may be nil.
type wrapBorder struct{ top, bottom fyne.CanvasObject }

// newWrapBorder is a container of center between top and bottom, laid out
// by wrapBorder.
func newWrapBorder(top, bottom, center fyne.CanvasObject) *fyne.Container {
	objs := []fyne.CanvasObject{center}
	for _, o := range []fyne.CanvasObject{top, bottom} {
		if o != nil {
			objs = append(objs, o)
		}
	}
	return &fyne.Container{Layout: wrapBorder{top, bottom}, Objects: objs}
}

// edge gives o the width w and says how tall it is then, 0 when o is nil
// or hidden.
func edge(o fyne.CanvasObject, w float32) float32 {
	if o == nil || !o.Visible() {
		return 0
	}
	o.Resize(fyne.NewSize(w, o.Size().Height))
	return o.MinSize().Height
}

func (l wrapBorder) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	top, bottom := edge(l.top, size.Width), edge(l.bottom, size.Width)
	y, h := float32(0), size.Height
	if top > 0 {
		l.top.Move(fyne.NewPos(0, 0))
		l.top.Resize(fyne.NewSize(size.Width, top))
		y, h = top+pad, h-top-pad
	}
	if bottom > 0 {
		l.bottom.Move(fyne.NewPos(0, size.Height-bottom))
		l.bottom.Resize(fyne.NewSize(size.Width, bottom))
		h -= bottom + pad
	}
	center := objs[0]
	center.Move(fyne.NewPos(0, y))
	center.Resize(fyne.NewSize(size.Width, max(h, 0)))
}

func (l wrapBorder) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := objs[0].MinSize()
	for _, o := range []fyne.CanvasObject{l.top, l.bottom} {
		if o == nil || !o.Visible() {
			continue
		}
		e := o.MinSize()
		m = fyne.NewSize(max(m.Width, e.Width), m.Height+e.Height+theme.Padding())
	}
	return m
}

// onWidth lays its objects over each other across its size, as a stack
// does, and calls changed when its width changes: what is wrapped by hand
// at a width (a failed transfer's row) is drawn again at the new one.
type onWidth struct {
	width   float32
	changed func()
}

func (l *onWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	layout.NewStackLayout().Layout(objs, size)
	if size.Width != l.width {
		l.width = size.Width
		l.changed()
	}
}

func (l *onWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return layout.NewStackLayout().MinSize(objs)
}
