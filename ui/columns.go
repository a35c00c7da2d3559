package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// columns lays out its objects left to right with set widths, except the
// first, which takes what is left. The file list's header and its rows
// share one widths slice, so their columns line up, and a width changed
// there (by a header's handle, colHandle) moves them all at their next
// layout.
//
// In a narrow window the fixed columns would leave the first (the file's
// name) no room at all, and a list of files without names is useless: below
// minFirst, the columns listed in drop are hidden, in that order, until the
// first column has minFirst or nothing more may go. Header and rows get the
// same width, so they hide the same columns.
type columns struct {
	widths   []float32 // for objects 1..n-1
	minFirst float32
	drop     []int // indexes of objects that may be hidden, least needed first
}

// visible says which objects are shown at width w.
func (c *columns) visible(n int, w float32) []bool {
	pad := theme.Padding()
	show := make([]bool, n)
	fixed := float32(0)
	for i := 1; i < n; i++ {
		show[i] = true
		fixed += c.widths[i-1] + pad
	}
	show[0] = true
	for _, i := range c.drop {
		if w-fixed >= c.minFirst {
			break
		}
		if i > 0 && i < n && show[i] {
			show[i] = false
			fixed -= c.widths[i-1] + pad
		}
	}
	return show
}

// MinSize leaves out the columns that may be hidden, so the window can be
// made narrower than all the columns together.
func (c *columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	var w, h float32
	n := 0
	for i, o := range objs {
		ms := o.MinSize()
		h = max(h, ms.Height)
		switch {
		case i == 0:
			w += ms.Width
		case c.droppable(i):
			continue
		default:
			w += c.widths[i-1]
		}
		n++
	}
	return fyne.NewSize(w+pad*float32(max(n-1, 0)), h)
}

func (c *columns) droppable(i int) bool {
	for _, d := range c.drop {
		if d == i {
			return true
		}
	}
	return false
}

// place says where each of n columns starts and how wide it is at width
// w, and which are shown.
func (c *columns) place(n int, w float32) (xs, ws []float32, show []bool) {
	pad := theme.Padding()
	show = c.visible(n, w)
	fixed := float32(0)
	for i := 1; i < n; i++ {
		if show[i] {
			fixed += c.widths[i-1] + pad
		}
	}
	xs, ws = make([]float32, n), make([]float32, n)
	x := float32(0)
	for i := range n {
		if !show[i] {
			xs[i] = x
			continue
		}
		cw := max(w-fixed, 0)
		if i > 0 {
			cw = c.widths[i-1]
		}
		xs[i], ws[i] = x, cw
		x += cw + pad
	}
	return xs, ws, show
}

func (c *columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	xs, ws, show := c.place(len(objs), size.Width)
	for i, o := range objs {
		if !show[i] {
			if o.Visible() {
				o.Hide()
			}
			continue
		}
		if !o.Visible() {
			o.Show()
		}
		o.Move(fyne.NewPos(xs[i], 0))
		o.Resize(fyne.NewSize(ws[i], size.Height))
	}
}
