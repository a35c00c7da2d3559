package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func selectKeyRow(t *testing.T, s *keysScreen, name string) {
	t.Helper()
	for i, r := range s.rows {
		if r.key != nil && r.key.Name == name {
			s.list.Select(i)
			return
		}
	}
	t.Fatalf("no key row %q", name)
}

func keyByName(f *fakeBackend, name string) (Key, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range f.keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// A colleague's codes are shown for reading out; Enter does not answer
// for the user; "They match" marks the key, and its row says so.
func TestCompareCodesWithColleague(t *testing.T) {
	f := readyFake()
	f.keys[1].SigningCode = "5150-AB12-CD34-EF56-7890"
	u := startMain(t, f)
	s := u.keysView
	u.tabs.SelectIndex(2)
	selectKeyRow(t, s, "Alice")
	if s.compareBtn.Disabled() {
		t.Fatal("Compare codes is off for a colleague's key")
	}
	if got := s.rows[s.sel].key; comparedNote(got) == "" || strings.Contains(comparedNote(got), "✓") {
		t.Fatalf("a key never compared reads %q", comparedNote(got))
	}
	test.Tap(s.compareBtn)
	said := overlayText(t, u)
	for _, want := range []string{"SHA256:aaaaaaaa", "5150-AB12-CD34-EF56-7890", "Call Alice or meet in person"} {
		if !strings.Contains(said, want) {
			t.Fatalf("the dialog says %q, without %q", said, want)
		}
	}
	press(t, u, fyne.KeyReturn)
	if k, _ := keyByName(f, "Alice"); k.Compared || u.win.Canvas().Overlays().Top() == nil {
		t.Fatal("Enter answered the comparison for the user")
	}
	test.Tap(overlayButton(t, u, "They match"))
	u.wait()
	if k, _ := keyByName(f, "Alice"); !k.Compared {
		t.Fatal("They match did not mark the key")
	}
	selectKeyRow(t, s, "Alice")
	if got := comparedNote(s.rows[s.sel].key); !strings.Contains(got, "✓ codes compared") {
		t.Fatalf("the row of a compared key reads %q", got)
	}
}

// Codes that differ lead to removing the key, and to nothing else.
func TestCompareCodesDifferRemovesKey(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	s := u.keysView
	selectKeyRow(t, s, "Alice")
	test.Tap(s.compareBtn)
	if !strings.Contains(overlayText(t, u), "without a signing code") {
		t.Fatal("a key without a signing code is not pointed out")
	}
	test.Tap(overlayButton(t, u, "They differ"))
	if !strings.Contains(overlayText(t, u), "someone may have swapped it") {
		t.Fatalf("the mismatch reads %q", overlayText(t, u))
	}
	press(t, u, fyne.KeyReturn) // Enter must not remove a key
	if _, ok := keyByName(f, "Alice"); !ok {
		t.Fatal("Enter removed the key")
	}
	test.Tap(overlayButton(t, u, "Remove this key"))
	u.wait()
	if k, ok := keyByName(f, "Alice"); ok {
		t.Fatalf("the key is still there: %+v", k)
	}
}

// My own codes are what a colleague sees for my key once they add my
// export: the same key code and signing code, on two computers.
func TestRealCodesMatchAcrossComputers(t *testing.T) {
	ctx := context.Background()
	bob := openTestBackend(t, t.TempDir())
	alice := openTestBackend(t, t.TempDir())
	if _, err := bob.Keys().Generate(ctx, "Bob", 2048); err != nil {
		t.Fatal(err)
	}
	pem, err := bob.Keys().ExportPublic(ctx, "Bob")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Keys().AddPublic(ctx, "Bob", pem); err != nil {
		t.Fatal(err)
	}
	find := func(b *realBackend, kind KeyKind) Key {
		keys, err := b.Keys().List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if k.Name == "Bob" && k.Kind == kind {
				return k
			}
		}
		t.Fatalf("no key Bob of kind %v in %+v", kind, keys)
		return Key{}
	}
	mine, theirs := find(bob, KeyMine), find(alice, KeyColleague)
	if mine.SigningCode == "" || mine.Fingerprint != theirs.Fingerprint || mine.SigningCode != theirs.SigningCode {
		t.Fatalf("Bob reads %s / %s, Alice reads %s / %s", mine.Fingerprint, mine.SigningCode, theirs.Fingerprint, theirs.SigningCode)
	}
	if theirs.Compared {
		t.Fatal("a key just added reads as compared")
	}
	if err := alice.Keys().MarkCompared(ctx, "Bob"); err != nil {
		t.Fatal(err)
	}
	if !find(alice, KeyColleague).Compared {
		t.Fatal("MarkCompared did not stick")
	}
	if err := bob.Keys().MarkCompared(ctx, "Bob"); err == nil {
		t.Fatal("my own key was marked as compared")
	}
}
