package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// columns lays out its objects left to right with fixed widths, except the
// first, which takes what is left. The file list's header and its rows share
// one, so their columns line up.
type columns struct {
	widths []float32 // for objects 1..n-1
}

func (c *columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	var w, h float32
	for i, o := range objs {
		ms := o.MinSize()
		if i == 0 {
			w += ms.Width
		} else {
			w += c.widths[i-1]
		}
		h = max(h, ms.Height)
	}
	return fyne.NewSize(w+pad*float32(len(objs)-1), h)
}

func (c *columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	fixed := float32(0)
	for i := 1; i < len(objs); i++ {
		fixed += c.widths[i-1] + pad
	}
	x := float32(0)
	for i, o := range objs {
		w := max(size.Width-fixed, 0)
		if i > 0 {
			w = c.widths[i-1]
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + pad
	}
}
