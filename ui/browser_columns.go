package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Resizable columns: a handle sits at the left edge of each column but the
// name, over the header. Dragging it sets that column's width (the name
// takes what is left, so the handle follows the pointer); each column keeps
// at least its title's room, and the name at least its minimum. The widths
// are saved in the settings when a drag ends and restored at the next
// start; a double click on a handle puts back the defaults.

// minColumnWidth is the least any column but the name may be dragged to.
const minColumnWidth = 40

// colHandle is the grip that resizes the column to its right.
type colHandle struct {
	widget.BaseWidget
	col  int // the column it resizes, 1 and up
	line *canvas.Rectangle

	width    func() float32
	setWidth func(float32)
	done     func()
	reset    func()

	dragging     bool
	start, moved float32
}

var (
	_ fyne.Draggable      = (*colHandle)(nil)
	_ fyne.DoubleTappable = (*colHandle)(nil)
	_ desktop.Cursorable  = (*colHandle)(nil)
)

func newColHandle(col int) *colHandle {
	h := &colHandle{col: col, line: canvas.NewRectangle(theme.Color(theme.ColorNameSeparator))}
	h.ExtendBaseWidget(h)
	return h
}

func (h *colHandle) Cursor() desktop.Cursor { return desktop.HResizeCursor }

// Dragged sets the width from where the drag started, so that a pointer
// that went past a limit and came back meets the edge where it left it.
func (h *colHandle) Dragged(ev *fyne.DragEvent) {
	if !h.dragging {
		h.dragging, h.start, h.moved = true, h.width(), 0
	}
	h.moved += ev.Dragged.DX
	h.setWidth(h.start - h.moved)
}

func (h *colHandle) DragEnd() {
	h.dragging = false
	h.done()
}

func (h *colHandle) DoubleTapped(*fyne.PointEvent) { h.reset() }

// Tapped does nothing, so that a click on the handle does not sort by the
// title under it.
func (h *colHandle) Tapped(*fyne.PointEvent) {}

func (h *colHandle) MinSize() fyne.Size { return fyne.NewSize(2*theme.Padding(), 0) }

func (h *colHandle) CreateRenderer() fyne.WidgetRenderer {
	return &handleRenderer{h: h, objs: []fyne.CanvasObject{h.line}}
}

type handleRenderer struct {
	h    *colHandle
	objs []fyne.CanvasObject
}

func (r *handleRenderer) Layout(size fyne.Size) {
	pad := theme.Padding()
	w := theme.SeparatorThicknessSize()
	r.h.line.Move(fyne.NewPos((size.Width-w)/2, pad))
	r.h.line.Resize(fyne.NewSize(w, max(size.Height-2*pad, 0)))
}

func (r *handleRenderer) MinSize() fyne.Size           { return r.h.MinSize() }
func (r *handleRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *handleRenderer) Destroy()                     {}
func (r *handleRenderer) Refresh() {
	r.h.line.FillColor = theme.Color(theme.ColorNameSeparator)
	r.h.line.Refresh()
}

// handlesLayout puts each handle over the gap before its column, as the
// header's columns lay it out, and hides those of hidden columns.
type handlesLayout struct{ cols *columns }

func (l handlesLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }

func (l handlesLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	xs, _, show := l.cols.place(len(objs)+1, size.Width)
	pad := theme.Padding()
	for k, o := range objs {
		i := k + 1
		if !show[i] {
			o.Hide()
			continue
		}
		o.Show()
		w := o.MinSize().Width
		o.Move(fyne.NewPos(xs[i]-pad/2-w/2, 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}

// newHeaderRow is the header with a handle before each column but the name.
func (b *browser) newHeaderRow() *fyne.Container {
	b.clampWidths()
	var objs []fyne.CanvasObject
	for col := 1; col < len(b.headBtns); col++ {
		h := newColHandle(col)
		h.width = func() float32 { return b.colWidths[col-1] }
		h.setWidth = func(w float32) { b.setColumnWidth(col, w) }
		h.done = b.saveColumnWidths
		h.reset = b.resetColumnWidths
		b.handles = append(b.handles, h)
		objs = append(objs, h)
	}
	cols := b.header.Layout.(*columns)
	return container.NewStack(b.header, container.New(handlesLayout{cols}, objs...))
}

// restoredWidths are the saved widths if they fit the columns, else the
// defaults.
func restoredWidths(saved []float32) []float32 {
	if len(saved) != len(fileColumnWidths) {
		return slices.Clone(fileColumnWidths)
	}
	out := slices.Clone(saved)
	for i, w := range out {
		if w <= 0 || w > 4000 {
			out[i] = fileColumnWidths[i]
		}
	}
	return out
}

// minWidth is the least column col may have: its title's room, but never
// more than its default width, so the defaults always fit.
func (b *browser) minWidth(col int) float32 {
	return min(max(minColumnWidth, b.headBtns[col].MinSize().Width), fileColumnWidths[col-1])
}

// clampWidths raises any width below its column's least.
func (b *browser) clampWidths() {
	for col := 1; col < len(b.headBtns); col++ {
		b.colWidths[col-1] = max(b.colWidths[col-1], b.minWidth(col))
	}
}

// setColumnWidth gives column col the width w, within its least and what
// the name can give up, and moves the header and the rows to it.
func (b *browser) setColumnWidth(col int, w float32) {
	cur := b.colWidths[col-1]
	name := b.header.Objects[colName].Size().Width
	most := cur + max(name-minNameWidth, 0)
	w = max(min(w, most), b.minWidth(col))
	if w == cur {
		return
	}
	b.colWidths[col-1] = w
	b.relayoutColumns()
}

// relayoutColumns lays the header and every row out again with the
// current widths.
func (b *browser) relayoutColumns() {
	b.headerRow.Refresh()
	for _, r := range b.rows {
		r.content.Refresh()
	}
}

// saveColumnWidths keeps the widths in the settings.
func (b *browser) saveColumnWidths() {
	if slices.Equal(b.colWidths, fileColumnWidths) {
		b.u.prefs.ColumnWidths = nil
	} else {
		b.u.prefs.ColumnWidths = slices.Clone(b.colWidths)
	}
	b.u.savePrefs()
}

// resetColumnWidths puts back the default widths.
func (b *browser) resetColumnWidths() {
	copy(b.colWidths, fileColumnWidths)
	b.clampWidths()
	b.relayoutColumns()
	b.saveColumnWidths()
}
