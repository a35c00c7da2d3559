package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// fileRow is one line of the file list. It is a widget of its own so that a
// right click on it opens the context menu for its file.
type fileRow struct {
	widget.BaseWidget
	b  *browser
	id widget.ListItemID

	icon                       *widget.Icon
	name, size, modified, lock *widget.Label
	seal                       *widget.Label
	content                    *fyne.Container
}

func newFileRow(b *browser) *fileRow {
	r := &fileRow{b: b, icon: widget.NewIcon(nil)}
	label := func() *widget.Label {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	r.name, r.size, r.modified, r.lock, r.seal = label(), label(), label(), label(), label()
	name := container.NewBorder(nil, nil, r.icon, nil, r.name)
	r.content = container.New(newFileColumns(), name, r.size, r.modified, r.lock, r.seal)
	r.ExtendBaseWidget(r)
	return r
}

func (r *fileRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }

// Tapped selects this row's file or folder. The window delivers a
// click to the topmost tappable object, which is this row once it handles
// right clicks, so it must pass left clicks on to the list itself.
func (r *fileRow) Tapped(*fyne.PointEvent) { r.b.list.Select(r.id) }

// DoubleTapped opens this row's folder, as a double click does on the
// desktop. (A window that sees a double-tappable object holds a single
// click back for the double-click delay before passing it to Tapped.)
func (r *fileRow) DoubleTapped(*fyne.PointEvent) { r.b.openRow(r.id) }

// TappedSecondary opens the context menu for this row's file.
func (r *fileRow) TappedSecondary(e *fyne.PointEvent) {
	m := r.b.contextMenu(r.id)
	if m == nil {
		return
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(r)
	if c == nil {
		return
	}
	widget.ShowPopUpMenuAtPosition(m, c, e.AbsolutePosition)
}
