package ui

import (
	"fmt"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
)

// One step a user takes on the file list.
type selStep struct {
	op   string // "click", "all", "move"
	row  int    // for click; the delta for move
	mods fyne.KeyModifier
}

func (s selStep) String() string { return fmt.Sprintf("%s %d %v", s.op, s.row, s.mods) }

// The selection model as a file manager has it, step by step on a list of
// ten rows.
func TestSelectionModel(t *testing.T) {
	ctrl, shift := toggleMod(), fyne.KeyModifierShift
	const n = 10
	click := func(i int, m fyne.KeyModifier) selStep { return selStep{"click", i, m} }
	move := func(d int, m fyne.KeyModifier) selStep { return selStep{"move", d, m} }
	all := selStep{op: "all"}
	for _, tc := range []struct {
		name   string
		steps  []selStep
		want   []int
		cursor int
	}{
		{"a click chooses one row", []selStep{click(3, 0)}, []int{3}, 3},
		{"another click moves it", []selStep{click(3, 0), click(5, 0)}, []int{5}, 5},
		{"ctrl-click adds", []selStep{click(3, 0), click(5, ctrl), click(7, ctrl)}, []int{3, 5, 7}, 7},
		{"ctrl-click again removes", []selStep{click(3, 0), click(5, ctrl), click(3, ctrl)}, []int{5}, 3},
		{"shift-click chooses a range", []selStep{click(2, 0), click(5, shift)}, []int{2, 3, 4, 5}, 5},
		{"shift-click upwards", []selStep{click(5, 0), click(2, shift)}, []int{2, 3, 4, 5}, 2},
		{"shift-click again moves the range's end", []selStep{click(5, 0), click(8, shift), click(6, shift)}, []int{5, 6}, 6},
		{"shift-click with nothing chosen chooses one", []selStep{click(4, shift)}, []int{4}, 4},
		{"ctrl-click moves the anchor", []selStep{click(1, 0), click(6, ctrl), click(8, shift)}, []int{6, 7, 8}, 8},
		{"ctrl+shift-click adds a range", []selStep{click(1, 0), click(6, ctrl), click(8, ctrl|shift)}, []int{1, 6, 7, 8}, 8},
		{"ctrl+a chooses every row", []selStep{click(3, 0), all}, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 3},
		{"a click after ctrl+a chooses one", []selStep{all, click(4, 0)}, []int{4}, 4},
		{"down with nothing chosen goes to the first row", []selStep{move(1, 0)}, []int{0}, 0},
		{"up with nothing chosen goes to the last row", []selStep{move(-1, 0)}, []int{9}, 9},
		{"down moves the selection", []selStep{click(3, 0), move(1, 0), move(1, 0)}, []int{5}, 5},
		{"up moves the selection", []selStep{click(3, 0), move(-1, 0)}, []int{2}, 2},
		{"down stops at the end", []selStep{click(8, 0), move(1, 0), move(1, 0)}, []int{9}, 9},
		{"up stops at the top", []selStep{click(0, 0), move(-1, 0)}, []int{0}, 0},
		{"shift+down extends", []selStep{click(3, 0), move(1, shift), move(1, shift)}, []int{3, 4, 5}, 5},
		{"shift+up after shift+down shrinks", []selStep{click(3, 0), move(1, shift), move(1, shift), move(-1, shift)}, []int{3, 4}, 4},
		{"shift+up past the anchor turns round", []selStep{click(3, 0), move(1, shift), move(-1, shift), move(-1, shift)}, []int{2, 3}, 2},
		{"a plain arrow ends the range", []selStep{click(3, 0), move(1, shift), move(1, shift), move(1, 0)}, []int{6}, 6},
		{"home and end", []selStep{click(3, 0), move(n, shift)}, []int{3, 4, 5, 6, 7, 8, 9}, 9},
		{"ctrl+a, down, shift+down", []selStep{all, move(1, 0), move(1, shift)}, []int{1, 2}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSelection()
			for _, st := range tc.steps {
				switch st.op {
				case "click":
					s.click(st.row, st.mods)
				case "all":
					s.all(n)
				case "move":
					s.move(st.row, n, st.mods&shift != 0)
				}
			}
			if got := s.list(); !slices.Equal(got, tc.want) || s.cursor != tc.cursor {
				t.Fatalf("after %v: rows %v cursor %d, want %v cursor %d", tc.steps, got, s.cursor, tc.want, tc.cursor)
			}
			if s.count() != len(tc.want) {
				t.Fatalf("count %d, want %d", s.count(), len(tc.want))
			}
		})
	}
}

// A sort or a filter keeps the same files selected, wherever they go.
func TestSelectionRemap(t *testing.T) {
	s := newSelection()
	s.click(1, 0)
	s.click(3, toggleMod())
	// Row 1 moves to 4, row 3 is filtered out, every other row stays.
	s.remap(func(old int) int {
		switch old {
		case 1:
			return 4
		case 3:
			return -1
		}
		return old
	})
	if got := s.list(); !slices.Equal(got, []int{4}) || s.cursor != -1 || s.anchor != -1 {
		t.Fatalf("after remap: rows %v cursor %d anchor %d", got, s.cursor, s.anchor)
	}
	if s.move(0, 0, false) {
		t.Fatal("moving in an empty list changed something")
	}
}
