package ui

import (
	"runtime"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// selection is which rows of the file list are chosen, by their place in
// the list, as a file manager has it: a click chooses one row, Ctrl-click
// adds or removes one, Shift-click chooses every row from the last plain
// click (the anchor) to this one; the arrow keys move a cursor, which
// Shift extends into a range from the anchor. It knows nothing of files,
// so it is tested on its own.
type selection struct {
	rows   map[int]bool
	anchor int // where a range starts; -1 for none
	cursor int // the row the keyboard is on; -1 for none
}

func newSelection() selection { return selection{rows: map[int]bool{}, anchor: -1, cursor: -1} }

// toggleMod is the modifier that adds a row to the selection: Ctrl, or
// Command on a Mac.
func toggleMod() fyne.KeyModifier {
	if runtime.GOOS == "darwin" {
		return fyne.KeyModifierSuper
	}
	return fyne.KeyModifierControl
}

// click is a click on row i with the modifiers held.
func (s *selection) click(i int, mods fyne.KeyModifier) {
	switch {
	case mods&fyne.KeyModifierShift != 0 && s.anchor >= 0:
		if mods&toggleMod() == 0 {
			clear(s.rows)
		}
		s.addRange(s.anchor, i)
	case mods&toggleMod() != 0:
		if s.rows[i] {
			delete(s.rows, i)
		} else {
			s.rows[i] = true
		}
		s.anchor = i
	default:
		s.only(i)
	}
	s.cursor = i
}

// only chooses row i and nothing else.
func (s *selection) only(i int) {
	clear(s.rows)
	s.rows[i] = true
	s.anchor, s.cursor = i, i
}

func (s *selection) addRange(from, to int) {
	if from > to {
		from, to = to, from
	}
	for i := from; i <= to; i++ {
		s.rows[i] = true
	}
}

// all chooses every one of n rows, keeping the cursor where it was.
func (s *selection) all(n int) {
	for i := range n {
		s.rows[i] = true
	}
	if s.cursor < 0 || s.cursor >= n {
		s.cursor = 0
	}
	if n == 0 {
		s.cursor = -1
	}
	s.anchor = 0
}

// move is an arrow key: the cursor goes delta rows (within n), choosing
// that row alone or, with extend (Shift), every row from the anchor to
// it. With no cursor yet, Down goes to the first row and Up to the last,
// as if the cursor were just outside the list. It says whether anything
// changed.
func (s *selection) move(delta, n int, extend bool) bool {
	if n == 0 {
		return false
	}
	from := s.cursor
	switch {
	case from < 0 && delta > 0:
		from = -1
	case from < 0:
		from = n
	}
	to := max(0, min(n-1, from+delta))
	if to == s.cursor && s.rows[to] {
		return false
	}
	if extend && s.anchor >= 0 {
		clear(s.rows)
		s.addRange(s.anchor, to)
		s.cursor = to
		return true
	}
	s.only(to)
	return true
}

func (s *selection) reset() {
	clear(s.rows)
	s.anchor, s.cursor = -1, -1
}

func (s *selection) has(i int) bool { return s.rows[i] }

func (s *selection) count() int { return len(s.rows) }

// list is the chosen rows in order.
func (s *selection) list() []int {
	out := make([]int, 0, len(s.rows))
	for i := range s.rows {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// marked is every row the selection refers to: the chosen ones, the
// anchor and the cursor.
func (s *selection) marked() []int {
	out := s.list()
	if s.anchor >= 0 && !s.rows[s.anchor] {
		out = append(out, s.anchor)
	}
	if s.cursor >= 0 && !s.rows[s.cursor] && s.cursor != s.anchor {
		out = append(out, s.cursor)
	}
	return out
}

// remap moves the selection to the rows' new places after the list was
// sorted or filtered again: where maps an old row to its new one, or -1
// when it is no longer shown.
func (s *selection) remap(where func(old int) int) {
	rows := map[int]bool{}
	for i := range s.rows {
		if j := where(i); j >= 0 {
			rows[j] = true
		}
	}
	s.rows = rows
	if s.anchor >= 0 {
		s.anchor = where(s.anchor)
	}
	if s.cursor >= 0 {
		s.cursor = where(s.cursor)
	}
}

// heldModifiers is the modifier keys held down now, where the driver can
// tell (a desktop).
func heldModifiers() fyne.KeyModifier {
	if d, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok {
		return d.CurrentKeyModifiers()
	}
	return 0
}
