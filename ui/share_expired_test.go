package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Copies made for sharing whose link is over are offered for removal once
// per start; answered either way, they are not asked about again.
func TestExpiredSharedCopiesOffered(t *testing.T) {
	for _, tc := range []struct {
		answer  string
		removed int
	}{
		{"Remove", 2},
		{"Keep them", 0},
	} {
		t.Run(tc.answer, func(t *testing.T) {
			f := readyFake()
			past := time.Now().Add(-time.Hour)
			f.expired = []SharedCopy{
				{Account: "This computer", Bucket: "demo", Key: ".ossvault/shared/00aa/contract.pdf", For: "Alice", Expires: past},
				{Account: "This computer", Bucket: "demo", Key: ".ossvault/shared/11bb/march.xlsx", For: "Bob", Expires: past},
			}
			u := startMain(t, f)
			top := u.win.Canvas().Overlays().Top()
			if top == nil {
				t.Fatal("no question about the expired copies")
			}
			var said []string
			for _, o := range test.LaidOutObjects(top) {
				if l, ok := o.(*widget.Label); ok {
					said = append(said, l.Text)
				}
			}
			if all := strings.Join(said, " "); !strings.Contains(all, "“contract.pdf” for Alice") || !strings.Contains(all, "original files stay") {
				t.Fatalf("the question says %q", all)
			}
			test.Tap(overlayButton(t, u, tc.answer))
			u.wait()
			if len(f.removed) != tc.removed {
				t.Fatalf("%s: %d copies removed", tc.answer, len(f.removed))
			}
			if tc.removed > 0 && !strings.Contains(u.status.Text, "removed") {
				t.Errorf("status %q", u.status.Text)
			}
			p, err := loadPrefs(u.home)
			if err != nil || p.CopiesAsked.IsZero() {
				t.Fatalf("the answer was not remembered: %+v %v", p, err)
			}
			// The next start asks about nothing it asked about before.
			u2 := newTestUI(t, f)
			u2.home, u2.prefs = u.home, p
			u2.start(false)
			u2.wait()
			if u2.win.Canvas().Overlays().Top() != nil && tc.removed == 0 {
				t.Fatal("asked again about the copies kept")
			}
		})
	}
}
