package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// removeKeyInApp removes the named key the way a user does: select it on
// the Keys page, press Remove, confirm.
func removeKeyInApp(t *testing.T, u *appUI, name string) {
	t.Helper()
	s := u.keysView
	u.do(func() {
		for i, r := range s.rows {
			if r.key != nil && r.key.Name == name {
				s.list.Select(i)
			}
		}
		test.Tap(s.removeBtn)
		test.Tap(overlayButton(t, u, "Remove"))
	})
	u.wait()
	u.wait() // the keys reloaded after the removal
}

// overlaySays reports whether a label in the dialog on top reads text.
func overlaySays(u *appUI, text string) bool {
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	for _, o := range test.LaidOutObjects(top) {
		if l, ok := o.(*widget.Label); ok && l.Text == text {
			return true
		}
	}
	return false
}

// uploadRefusedForNoKey drops a file and checks that nothing was asked of
// the backend and that a dialog asks the user to choose a key.
func uploadRefusedForNoKey(t *testing.T, u *appUI, uploads func() int) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "salaries.csv")
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := uploads()
	u.do(func() { u.browser.uploadPaths([]string{p}) })
	u.wait()
	if n := uploads(); n != before {
		t.Fatalf("%d uploads started with no key chosen", n-before)
	}
	var asked bool
	u.do(func() { asked = overlaySays(u, explain(errNoKeyChosen, nil)) })
	u.wait()
	if !asked {
		t.Fatal("the refused upload does not ask to choose who the files are for")
	}
}

// Removing my own key switched "Encrypt for" silently to the first
// colleague, and restoring the key left the colleague there: the next
// uploads were locked for Bob, and their uploader could not open them.
// "Encrypt for" now goes to another key of mine, else to nothing (and an
// upload asks for a choice), and a restored key is chosen again; only a
// colleague the user chose stays chosen.
func TestRemovingMyKeyNeverChoosesAColleague(t *testing.T) {
	for _, tc := range []struct {
		name      string
		spare     bool   // a second key of mine
		choose    string // chosen by the user before the removal
		afterRm   string
		afterBack string
	}{
		{name: "only key", afterRm: "", afterBack: "Me (My key)"},
		{name: "another key of mine", spare: true, afterRm: "Me (Spare)", afterBack: "Me (Spare)"},
		{name: "my own key chosen", choose: "Me (My key)", afterRm: "", afterBack: "Me (My key)"},
		{name: "colleague chosen", choose: "Alice", afterRm: "Alice", afterBack: "Alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := readyFake()
			// The colleague comes first, as the list's first entry is
			// what the app used to fall back to.
			f.keys[0], f.keys[1] = f.keys[1], f.keys[0]
			if tc.spare {
				f.keys = append(f.keys, Key{Name: "Spare", Kind: KeyMine, Fingerprint: "SHA256:ssssssss"})
			}
			// A backup of my key alone (the fake's Restore would add
			// every name it holds as a key of mine).
			backup := []byte("backup:My key")
			f.backups["correct horse"] = backup
			u := startMain(t, f)
			if tc.choose != "" {
				u.do(func() { u.browser.encryptFor.SetSelected(tc.choose) })
				u.wait()
			}
			removeKeyInApp(t, u, "My key")
			var got string
			u.do(func() { got = u.browser.encryptFor.Selected })
			u.wait()
			if got != tc.afterRm {
				t.Fatalf("after removing my key, Encrypt for is %q, want %q", got, tc.afterRm)
			}
			if tc.afterRm == "" {
				uploadRefusedForNoKey(t, u, func() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.uploads) })
				u.do(func() { test.Tap(overlayButton(t, u, "OK")) })
				u.wait()
			}
			u.do(func() { u.keysView.restore(backup, "correct horse") })
			u.wait()
			u.wait()
			u.do(func() { got = u.browser.encryptFor.Selected })
			u.wait()
			if got != tc.afterBack {
				t.Fatalf("after restoring my key, Encrypt for is %q, want %q", got, tc.afterBack)
			}
			if strings.HasPrefix(tc.afterBack, "Me (") && u.status.Text == "Files you upload now can be opened only by Alice, not by you." {
				t.Fatalf("the status line still warns about Alice: %q", u.status.Text)
			}
		})
	}
}
