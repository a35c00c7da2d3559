package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/vault"
)

// tickAlsoFor opens "Also for…" and ticks names, then Done.
func tickAlsoFor(t *testing.T, u *appUI, names ...string) {
	t.Helper()
	test.Tap(u.browser.alsoForBtn)
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("Also for… opened no dialog")
	}
	var offered []string
	for _, o := range test.LaidOutObjects(top) {
		c, ok := unwrapped(o).(*widget.Check)
		if !ok {
			continue
		}
		offered = append(offered, c.Text)
		c.SetChecked(slices.Contains(names, c.Text))
	}
	if slices.Contains(offered, keyLabel(u.keys[0])) && u.browser.encryptForKey() == u.keys[0].Name {
		t.Errorf("the key in Encrypt for is offered again: %q", offered)
	}
	test.Tap(overlayButton(t, u, "Done"))
}

// "Also for…" adds people to the next uploads: the request names them
// after the key in "Encrypt for", the button and the status line say who,
// and a key that goes leaves the list.
func TestAlsoForAddsRecipients(t *testing.T) {
	f := readyFake()
	f.keys = append(f.keys, Key{Name: "Bob", Kind: KeyColleague, Fingerprint: "SHA256:bbbbbbbb"})
	u := startMain(t, f)
	tickAlsoFor(t, u, "Alice", "Bob")
	if got := u.browser.alsoForBtn.Text; got != "+2" {
		t.Fatalf("the button says %q", got)
	}
	p := filepath.Join(t.TempDir(), "payroll.xlsx")
	os.WriteFile(p, []byte("pay"), 0o600)
	u.do(func() { u.browser.uploadPaths([]string{p}) })
	u.wait()
	if len(f.uploads) != 1 || f.uploads[0].KeyFor != "My key" || !slices.Equal(f.uploads[0].AlsoFor, []string{"Alice", "Bob"}) {
		t.Fatalf("upload requests: %+v", f.uploads)
	}
	if !strings.Contains(u.status.Text, "Me (My key), Alice, Bob") {
		t.Errorf("the status line says %q", u.status.Text)
	}

	// Alice in "Encrypt for" herself: she is not also "also", and with
	// nobody of mine left the status line warns.
	u.do(func() { u.browser.encryptFor.SetSelected("Alice") })
	if got := u.browser.alsoForKeys(); !slices.Equal(got, []string{"Bob"}) {
		t.Fatalf("with Alice chosen, also for %q", got)
	}
	if !strings.Contains(u.status.Text, "only by Alice, Bob, not by you") {
		t.Errorf("no warning when nobody is me: %q", u.status.Text)
	}

	f.keys = slices.DeleteFunc(f.keys, func(k Key) bool { return k.Name == "Bob" })
	u.reloadKeys()
	u.wait()
	if got := u.browser.alsoForKeys(); len(got) != 0 || u.browser.alsoForBtn.Text != "" {
		t.Fatalf("after Bob's key went: also for %q, button %q", got, u.browser.alsoForBtn.Text)
	}
}

// In the real app, a file dropped with Bob and Carol ticked is one object
// that each of us opens with our own key, and Dave does not.
func TestRealAlsoForDrop(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	b := openLocalWithKey(t, home)
	others := map[string]*vault.Vault{}
	for _, name := range []string{"Bob", "Carol", "Dave"} {
		ob := openTestBackend(t, t.TempDir())
		if _, err := ob.Keys().Generate(ctx, name+"'s own", 2048); err != nil {
			t.Fatal(err)
		}
		pub, err := ob.Keys().ExportPublic(ctx, name+"'s own")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Keys().AddPublic(ctx, name, pub); err != nil {
			t.Fatal(err)
		}
		others[name] = ob.Vault()
	}
	u := newTestUI(t, b)
	u.prefs.SetupDone, u.prefs.KeysBackedUp = true, true
	u.start(false)
	u.wait()
	u.browser.locks.wait()
	u.wait()
	tickAlsoFor(t, u, "Bob", "Carol")
	plain := []byte(strings.Repeat("March payroll, Carol: 5200\n", 2000))
	src := filepath.Join(t.TempDir(), "payroll.csv")
	os.WriteFile(src, plain, 0o600)
	u.onDropped(fyne.NewPos(100, 100), []fyne.URI{storage.NewFileURI(src)})
	u.wait()
	waitJobs(t, b)
	bk := sdkBucket(t, b)
	checkEncrypted(t, bk, b.Vault(), "payroll.csv", plain)
	checkEncrypted(t, bk, others["Bob"], "payroll.csv", plain)
	checkEncrypted(t, bk, others["Carol"], "payroll.csv", plain)
	st, err := b.Store(localAccountName, demoBucket)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Head(ctx, "payroll.csv")
	if err != nil {
		t.Fatal(err)
	}
	e, err := envelope.ParseHeader(info.Header)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := others["Dave"].Identities(ctx, e)
	if err == nil {
		_, err = envelope.Open(ctx, e, ids...)
	}
	if err == nil {
		t.Fatal("Dave, who was not ticked, opens the file")
	}
}

// People ticked in "Also for…" can be saved as a group, and the group
// ticks them again later; it is kept in the settings.
func TestAlsoForGroups(t *testing.T) {
	f := readyFake()
	f.keys = append(f.keys, Key{Name: "Bob", Kind: KeyColleague}, Key{Name: "Carol", Kind: KeyColleague})
	u := startMain(t, f)
	checks := func() map[string]*widget.Check {
		m := map[string]*widget.Check{}
		for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
			if c, ok := unwrapped(o).(*widget.Check); ok {
				m[c.Text] = c
			}
		}
		return m
	}
	test.Tap(u.browser.alsoForBtn)
	c := checks()
	c["Alice"].SetChecked(true)
	c["Carol"].SetChecked(true)
	test.Tap(overlayButton(t, u, "Save as a group…"))
	entries := overlayEntries(u)
	if len(entries) != 1 {
		t.Fatalf("the name form has %d entries", len(entries))
	}
	test.Type(entries[0], "Finance team")
	test.Tap(overlayButton(t, u, "OK"))
	if got := u.prefs.Groups["Finance team"]; !slices.Equal(got, []string{"Alice", "Carol"}) {
		t.Fatalf("saved group %q", got)
	}
	if p, _ := loadPrefs(u.home); !slices.Equal(p.Groups["Finance team"], []string{"Alice", "Carol"}) {
		t.Fatalf("the group is not in the settings file: %+v", p.Groups)
	}
	// Untick everyone, then let the group tick them again.
	for _, c := range checks() {
		c.SetChecked(false)
	}
	test.Tap(overlayButton(t, u, "Done"))
	if got := u.browser.alsoForKeys(); len(got) != 0 {
		t.Fatalf("after unticking: %q", got)
	}
	test.Tap(u.browser.alsoForBtn)
	test.Tap(overlayButton(t, u, "Finance team"))
	test.Tap(overlayButton(t, u, "Done"))
	if got := u.browser.alsoForKeys(); !slices.Equal(got, []string{"Alice", "Carol"}) {
		t.Fatalf("the group ticked %q", got)
	}
}
