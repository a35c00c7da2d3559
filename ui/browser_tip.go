package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Long names: the file list cuts a name that does not fit with "…", and
// then the pointer resting on it shows the whole name. The tip is drawn on
// a layer over the file list rather than in a pop-up: a pop-up is an
// overlay, which would take the next click (and the keyboard) for itself,
// while the layer's rectangle and text take no events, so a click on the
// row under the tip still chooses it.

// tipDelay is how long the pointer rests on a cut name before its tip
// shows, so that moving across the list does not flash a tip on each row.
const tipDelay = 500 * time.Millisecond

// tipLayer is where the tip is drawn, over the file list.
type tipLayer struct {
	layer *fyne.Container
	box   *canvas.Rectangle
	text  *widget.Label
	// shown is the label whose name is on show, or about to be.
	shown *nameLabel
	timer *time.Timer
	// do runs a function on the UI goroutine (appUI.do).
	do func(func())
}

func newTipLayer(do func(func())) *tipLayer {
	t := &tipLayer{
		do:   do,
		box:  canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground)),
		text: widget.NewLabel(""),
	}
	// A name wider than the list goes on as many lines as it needs.
	t.text.Wrapping = fyne.TextWrapBreak
	t.box.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	t.box.StrokeWidth = 1
	t.box.CornerRadius = theme.InputRadiusSize()
	// No layout: the tip is placed by hand.
	t.layer = &fyne.Container{Objects: []fyne.CanvasObject{t.box, t.text}}
	t.hide()
	return t
}

// show puts the whole of l's name next to the pointer, at abs (in the
// window), within the layer; a name that fits is not repeated.
func (t *tipLayer) show(l *nameLabel, abs fyne.Position) {
	if !l.cut() {
		t.hide()
		return
	}
	t.shown = l
	t.text.SetText(l.Text)
	t.box.FillColor = theme.Color(theme.ColorNameOverlayBackground)
	t.box.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	room := t.layer.Size()
	w := fyne.MeasureText(l.Text, theme.TextSize(), l.TextStyle).Width + 2*theme.InnerPadding()
	t.text.Resize(fyne.NewSize(min(w, room.Width), t.text.Size().Height))
	size := fyne.NewSize(min(w, room.Width), t.text.MinSize().Height)
	origin := fyne.CurrentApp().Driver().AbsolutePositionForObject(t.layer)
	// Below and to the right of the pointer, kept inside the list: a name
	// wider than the list starts at its left edge.
	p := abs.Subtract(origin).Add(fyne.NewPos(0, theme.IconInlineSize()))
	p.X = max(0, min(p.X, room.Width-size.Width))
	if p.Y+size.Height > room.Height {
		p.Y = max(0, p.Y-size.Height-2*theme.IconInlineSize())
	}
	t.box.Move(p)
	t.box.Resize(size)
	t.text.Move(p)
	t.text.Resize(size)
	t.box.Show()
	t.text.Show()
	t.layer.Refresh()
}

func (t *tipLayer) hide() {
	t.shown = nil
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	t.box.Hide()
	t.text.Hide()
	t.layer.Refresh()
}

// showing is the name on show, "" for none.
func (t *tipLayer) showing() string {
	if t.shown == nil || !t.text.Visible() {
		return ""
	}
	return t.text.Text
}

// nameLabel is a column of a row in the file list (a file's name, its
// size, whose key it is locked with), cut with "…" when it does not fit,
// with the whole text as a tip when the pointer rests on it.
type nameLabel struct {
	widget.Label
	tip *tipLayer
	pos fyne.Position // where the pointer is, in the window
}

var _ desktop.Hoverable = (*nameLabel)(nil)

func newNameLabel(tip *tipLayer) *nameLabel {
	l := &nameLabel{tip: tip}
	l.Truncation = fyne.TextTruncateEllipsis
	l.ExtendBaseWidget(l)
	return l
}

// cut says whether the name is wider than the room it has.
func (l *nameLabel) cut() bool {
	w := fyne.MeasureText(l.Text, theme.TextSize(), l.TextStyle).Width + 2*theme.InnerPadding()
	return l.Text != "" && w > l.Size().Width
}

// SetText changes the name, as when a row is reused for another file, and
// takes away a tip that showed the old one.
func (l *nameLabel) SetText(s string) {
	if s != l.Text && l.tip.shown == l {
		l.tip.hide()
	}
	l.Label.SetText(s)
}

func (l *nameLabel) MouseIn(ev *desktop.MouseEvent) {
	l.pos = ev.AbsolutePosition
	if !l.cut() {
		return
	}
	t := l.tip
	if t.timer != nil {
		t.timer.Stop()
	}
	t.shown = l
	t.timer = time.AfterFunc(tipDelay, func() {
		t.do(func() {
			if t.shown == l {
				t.show(l, l.pos)
			}
		})
	})
}

func (l *nameLabel) MouseMoved(ev *desktop.MouseEvent) { l.pos = ev.AbsolutePosition }

func (l *nameLabel) MouseOut() {
	if l.tip.shown == l {
		l.tip.hide()
	}
}
