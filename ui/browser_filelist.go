package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// fileList is the list of files, which Tab reaches and which keeps its
// own selection of many rows (Fyne's list chooses one at a time and moves
// a focus mark the app cannot read). Its rows draw the selection and the
// keyboard's place themselves (fileRow), and its keys are the browser's.
type fileList struct {
	widget.List
	b       *browser
	focused bool
}

var (
	_ fyne.Focusable    = (*fileList)(nil)
	_ fyne.Shortcutable = (*fileList)(nil)
)

func newFileList(b *browser) *fileList {
	l := &fileList{b: b}
	l.Length, l.CreateItem, l.UpdateItem = b.length, b.createRow, b.updateRow
	l.ExtendBaseWidget(l)
	// A program's Select (and Fyne's own, for Space) chooses one row; the
	// list's own mark is cleared at once, as the rows draw the selection.
	l.OnSelected = func(id widget.ListItemID) {
		b.choose(id, 0)
		l.UnselectAll()
	}
	return l
}

// FocusGained marks the keyboard's row; with nothing chosen yet, the
// first row is chosen, so the arrow keys and Enter have something to
// work on at once.
func (l *fileList) FocusGained() {
	l.focused = true
	if l.b.sel.count() == 0 && len(l.b.view) > 0 {
		l.b.choose(0, 0)
		return
	}
	l.Refresh()
}

func (l *fileList) FocusLost() {
	l.focused = false
	l.Refresh()
}

func (l *fileList) TypedKey(ev *fyne.KeyEvent) { l.b.typedKey(ev, l.b.mods()) }

func (l *fileList) TypedRune(rune) {}

// TypedShortcut takes Ctrl+A (select all); the other shortcuts mean
// nothing to a list of files.
func (l *fileList) TypedShortcut(s fyne.Shortcut) {
	if _, ok := s.(*fyne.ShortcutSelectAll); ok {
		l.b.selectAll()
	}
}
