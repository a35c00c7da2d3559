package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// fileRow is one line of the file list. It is a widget of its own so that a
// right click on it opens the context menu for its file, and it draws
// whether it is selected and whether the keyboard is on it, since the
// list's selection is the browser's own.
type fileRow struct {
	widget.BaseWidget
	b  *browser
	id widget.ListItemID

	icon *widget.Icon
	// Every column is cut with "…" where it lacks room, and shows what it
	// holds whole when the pointer rests on it: the name, and as well
	// "Bob's key, not on this computer" in a narrow Locked with column.
	name, size, modified, lock, seal *nameLabel
	// chosen fills the row when it is selected; cursor outlines it when
	// the keyboard is on it.
	chosen, cursor *canvas.Rectangle
	// content is the row's columns; frame puts the marks around them.
	content, frame *fyne.Container
	// pressMods are the modifier keys held when the button went down on
	// the row, if pressed: the click they belong to.
	pressMods fyne.KeyModifier
	pressed   bool
}

var _ desktop.Mouseable = (*fileRow)(nil)

func newFileRow(b *browser) *fileRow {
	r := &fileRow{b: b, icon: widget.NewIcon(nil)}
	r.name, r.size, r.modified = newNameLabel(b.tip), newNameLabel(b.tip), newNameLabel(b.tip)
	r.lock, r.seal = newNameLabel(b.tip), newNameLabel(b.tip)
	r.chosen = canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
	r.chosen.CornerRadius = theme.SelectionRadiusSize()
	r.chosen.Hide()
	r.cursor = canvas.NewRectangle(nil)
	r.cursor.StrokeColor = theme.Color(theme.ColorNamePrimary)
	r.cursor.StrokeWidth = 2
	r.cursor.CornerRadius = theme.SelectionRadiusSize()
	r.cursor.Hide()
	name := container.NewBorder(nil, nil, r.icon, nil, r.name)
	r.content = container.New(newFileColumns(b.colWidths), name, r.size, r.modified, r.lock, r.seal)
	r.frame = container.NewStack(r.chosen, r.content, r.cursor)
	r.ExtendBaseWidget(r)
	return r
}

func (r *fileRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.frame) }

// mark shows whether the row is selected and whether the keyboard is on it.
func (r *fileRow) mark(chosen, cursor bool) {
	show := func(o fyne.CanvasObject, on bool) {
		switch {
		case on && !o.Visible():
			o.Show()
		case !on && o.Visible():
			o.Hide()
		}
	}
	r.chosen.FillColor = theme.Color(theme.ColorNameSelection)
	r.cursor.StrokeColor = theme.Color(theme.ColorNamePrimary)
	show(r.chosen, chosen)
	show(r.cursor, cursor)
}

// Tapped chooses this row's file or folder (with Ctrl, adds or removes
// it; with Shift, chooses the range up to it) and gives the list the
// keyboard. The window delivers a click to the topmost tappable object,
// which is this row once it handles right clicks, so the row must do what
// the list would.
func (r *fileRow) Tapped(*fyne.PointEvent) {
	r.b.tip.hide()
	mods := r.b.mods()
	if r.pressed {
		mods, r.pressed = r.pressMods, false
	}
	r.b.choose(r.id, mods)
	if c := fyne.CurrentApp().Driver().CanvasForObject(r); c != nil {
		c.Focus(r.b.list)
	}
}

// MouseDown keeps the modifier keys held as the button goes down. The
// window holds a click on a double-tappable row back for the double-click
// delay before it calls Tapped, and by then a person has often let go of
// Ctrl or Shift: asked at that moment, a Ctrl-click was a plain click.
func (r *fileRow) MouseDown(ev *desktop.MouseEvent) {
	if ev.Button == desktop.MouseButtonPrimary {
		r.pressMods, r.pressed = ev.Modifier, true
	}
}

func (r *fileRow) MouseUp(*desktop.MouseEvent) {}

// DoubleTapped opens this row's folder, as a double click does on the
// desktop. (A window that sees a double-tappable object holds a single
// click back for the double-click delay before passing it to Tapped.)
func (r *fileRow) DoubleTapped(*fyne.PointEvent) {
	r.pressed = false
	r.b.openRow(r.id)
}

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
