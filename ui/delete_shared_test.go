package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ossvault/ossvault/transfer"
)

// sharedCopy is a copy in the demo bucket made to share of with who, its
// link working for d more (or, d < 0, over for -d).
func sharedCopy(of, who string, d time.Duration) SharedCopy {
	return SharedCopy{Account: "This computer", Bucket: "demo", Key: ".ossvault/shared/0123/" + of, For: who, Of: of,
		Expires: time.Now().Add(d).Truncate(time.Minute)}
}

// askDelete selects the rows named names, presses Delete and returns
// what the question says.
func askDelete(t *testing.T, u *appUI, names ...string) string {
	t.Helper()
	b := u.browser
	u.do(func() {
		selectFile(t, b, names[0])
		b.mods = func() fyne.KeyModifier { return toggleMod() }
		for _, n := range names[1:] {
			selectFileWith(t, b, n)
		}
		b.mods = func() fyne.KeyModifier { return 0 }
	})
	press(t, u, fyne.KeyDelete)
	u.wait() // a folder is counted first
	if b.folderDel != nil && b.folderDel.confirm != nil {
		return b.folderDel.question
	}
	return overlayText(t, u)
}

// The question before a delete says that the links shared for what goes
// stop working, exactly when such a link still works.
func TestDeleteSaysSharedLinksStop(t *testing.T) {
	const (
		file     = "The links you shared for it stop working."
		folder   = "The links you shared for files in it stop working."
		selected = "The links you shared for some of them stop working."
	)
	cases := []struct {
		name   string
		copies []SharedCopy
		rows   []string
		want   string // "" for none of the three sentences
	}{
		{"a file shared", []SharedCopy{sharedCopy("old.txt", "Bob", time.Hour)}, []string{"old.txt"}, file},
		{"a file never shared", []SharedCopy{sharedCopy("contract.pdf", "Bob", time.Hour)}, []string{"old.txt"}, ""},
		{"a file whose link is over", []SharedCopy{sharedCopy("old.txt", "Bob", -time.Hour)}, []string{"old.txt"}, ""},
		{"a file in another bucket", []SharedCopy{{Account: "This computer", Bucket: "other", Key: "k", For: "Bob", Of: "old.txt",
			Expires: time.Now().Add(time.Hour)}}, []string{"old.txt"}, ""},
		{"a folder with a file shared", []SharedCopy{sharedCopy("payroll/march.xlsx", "Bob", time.Hour)}, []string{"payroll"}, folder},
		{"a folder with none", []SharedCopy{sharedCopy("contract.pdf", "Bob", time.Hour)}, []string{"payroll"}, ""},
		{"a selection with one shared", []SharedCopy{sharedCopy("payroll/march.xlsx", "Alice", time.Hour)},
			[]string{"contract.pdf", "old.txt", "payroll"}, selected},
		{"a selection with none", []SharedCopy{sharedCopy("from-bob.docx", "Alice", time.Hour)}, []string{"contract.pdf", "old.txt"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := readyFake()
			f.copies = tc.copies
			u := startMain(t, f)
			got := askDelete(t, u, tc.rows...)
			if !strings.Contains(got, "cannot be brought back.") {
				t.Fatalf("the question is %q", got)
			}
			for _, s := range []string{file, folder, selected} {
				if strings.Contains(got, s) != (s == tc.want) {
					t.Errorf("the question %q, want the sentence %q", got, tc.want)
				}
			}
			press(t, u, fyne.KeyEscape)
		})
	}
}

// leavingStorage deletes as the fake does, then says that the copies in
// left could not be deleted with what they were copied from.
type leavingStorage struct {
	Storage
	left []SharedCopy
}

// errCopyRefused is what OSS answers a key that may not delete.
var errCopyRefused error = &transfer.RemoteError{Op: "DeleteObject", Status: 403, Code: "AccessDenied"}

func (s leavingStorage) leftOf(of string) error {
	var l []SharedCopy
	for _, c := range s.left {
		if c.Of == of || strings.HasSuffix(of, "/") && strings.HasPrefix(c.Of, of) {
			l = append(l, c)
		}
	}
	if len(l) == 0 {
		return nil
	}
	return &CopiesLeftError{Of: of, Left: l, Err: errCopyRefused}
}

func (s leavingStorage) Delete(ctx context.Context, loc Location, key string) error {
	if err := s.Storage.Delete(ctx, loc, key); err != nil {
		return err
	}
	return s.leftOf(key)
}

func (s leavingStorage) DeleteFolder(ctx context.Context, loc Location, prefix string, progress func(deleted, total int)) (int, error) {
	n, err := s.Storage.DeleteFolder(ctx, loc, prefix, progress)
	if err != nil {
		return n, err
	}
	return n, s.leftOf(prefix)
}

type leavingBackend struct {
	*fakeBackend
	left []SharedCopy
}

func (b leavingBackend) Storage() Storage { return leavingStorage{b.fakeBackend.Storage(), b.left} }

// A shared copy that could not be deleted with its file is said: the file
// is deleted, the link still works until it expires, and Try again
// removes the copy.
func TestDeleteSaysACopyIsLeft(t *testing.T) {
	bob := sharedCopy("old.txt", "Bob", 3*time.Hour)
	alice := sharedCopy("payroll/march.xlsx", "Alice", 5*time.Hour)
	until := func(c SharedCopy) string { return c.Expires.Local().Format("2006-01-02 15:04") }
	cases := []struct {
		name string
		rows []string
		// said is the start of what the dialog says, status the status
		// line's sentence.
		said, status string
		removed      int
	}{
		{"a file", []string{"old.txt"},
			"“old.txt” was deleted, but the copy shared with Bob could not be: its link still works until " + until(bob) + ".",
			"Deleted old.txt.", 1},
		{"a folder", []string{"payroll"},
			"“march.xlsx” was deleted, but the copy shared with Alice could not be: its link still works until " + until(alice) + ".",
			"Deleted the folder “payroll”.", 1},
		{"a selection", []string{"old.txt", "payroll", "contract.pdf"},
			"The files were deleted, but 2 copies made to share them could not be: their links still work, the last until " + until(alice) + ".",
			"Deleted 3 items.", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := readyFake()
			f.copies = []SharedCopy{bob, alice}
			u := startMain(t, leavingBackend{f, f.copies})
			askDelete(t, u, tc.rows...)
			press(t, u, fyne.KeyReturn)
			u.wait()
			said := overlayText(t, u)
			if !strings.HasPrefix(said, tc.said) || !strings.Contains(said, "This account is not allowed to do that.") {
				t.Fatalf("the dialog says\n%q\nwant it to start\n%q\nand say why", said, tc.said)
			}
			if hasObject(f, tc.rows[0]) || strings.Contains(strings.Join(rowNames(u.browser), ","), tc.rows[0]) {
				t.Fatalf("%s is still there, or still listed", tc.rows[0])
			}
			if u.status.Text != tc.status {
				t.Errorf("the status line says %q, want %q", u.status.Text, tc.status)
			}
			u.do(func() { test.Tap(overlayButton(t, u, "Try again")) })
			u.wait()
			f.mu.Lock()
			removed := len(f.removed)
			f.mu.Unlock()
			if removed != tc.removed {
				t.Errorf("Try again removed %d copies, want %d", removed, tc.removed)
			}
			if want := "The shared copies are removed, and their links no longer work."; u.status.Text != want {
				t.Errorf("after Try again the status line says %q", u.status.Text)
			}
		})
	}
}
