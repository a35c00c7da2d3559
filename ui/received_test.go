package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/transfer"
)

const sentLink = "https://pay.oss-cn-hangzhou.aliyuncs.com/march.xlsx?Expires=1&Signature=x"

// Someone who was sent a link goes from the first screen to the opened
// file with only the link and the backup of their key: no storage account.
// A wrong passphrase is said on the page, which keeps the chosen backup.
func TestReceivedLinkFromFirstScreen(t *testing.T) {
	f := newFakeBackend()
	f.backups["right passphrase"] = []byte("backup:Bob")
	u := newTestUI(t, f)
	u.start(false)
	u.wait()
	if u.firstRun.step != "welcome" {
		t.Fatalf("a new user sees step %q, want welcome", u.firstRun.step)
	}
	r := u.firstRun.received
	test.Tap(buttonOn(t, u, "I received a link"))
	if u.firstRun.step != "received" {
		t.Fatalf("after I received a link the step is %q", u.firstRun.step)
	}

	test.Type(r.link, "see you at 10")
	test.Tap(buttonOn(t, u, "Next"))
	if u.firstRun.step != "received" || !strings.Contains(r.linkMsg.Text, "link") {
		t.Fatalf("text that is no link: step %q, message %q", u.firstRun.step, r.linkMsg.Text)
	}
	r.link.SetText(sentLink)
	test.Tap(buttonOn(t, u, "Next"))
	if u.firstRun.step != "received-key" {
		t.Fatalf("with a link and no key the step is %q, want received-key", u.firstRun.step)
	}
	if len(f.opened) != 0 {
		t.Fatal("the link was opened before there was a key to open it")
	}

	// The backup as the file dialog hands it over.
	r.backupName, r.backup = "ossvault-keys-backup.age", []byte("backup:Bob")
	r.showKey()
	test.Type(r.pass, "wrong one")
	test.Tap(r.restoreBtn)
	u.wait()
	if u.firstRun.step != "received-key" || r.keyMsg.Text == "" || r.backup == nil {
		t.Fatalf("wrong passphrase: step %q, message %q, backup kept %v", u.firstRun.step, r.keyMsg.Text, r.backup != nil)
	}
	if r.pass.Text != "" {
		t.Error("the wrong passphrase stays typed in")
	}
	test.Type(r.pass, "right passphrase")
	test.Tap(r.restoreBtn)
	u.wait()
	if u.win.Content() != u.main {
		t.Fatalf("after the restore the main screen is not shown (step %q, message %q)", u.firstRun.step, r.keyMsg.Text)
	}
	if len(f.opened) != 1 || f.opened[0] != sentLink {
		t.Fatalf("links opened: %q", f.opened)
	}
	if u.tabs.SelectedIndex() != transfersTab {
		t.Errorf("the tab on show is %d, want Transfers", u.tabs.SelectedIndex())
	}
	if !hasOwnKey(f.keys) {
		t.Fatalf("keys after the restore: %+v", f.keys)
	}

	// The next start goes to the main screen although there is no storage
	// account: the welcome again would read as if nothing had been set up.
	u2 := newTestUI(t, f)
	u2.home = u.home
	p, err := loadPrefs(u.home)
	if err != nil {
		t.Fatal(err)
	}
	u2.prefs = p
	u2.start(false)
	u2.wait()
	if u2.win.Content() != u2.main {
		t.Fatalf("the next start shows first-run step %q, want the main screen", u2.firstRun.step)
	}
}

// With a key already here, the link opens at once; a link that does not
// open brings back the link page with the reason, not the key page.
func TestReceivedLinkWithKeyOpensAtOnce(t *testing.T) {
	f := newFakeBackend()
	f.keys = []Key{{Name: "Bob", Kind: KeyMine}}
	b := failingLinkBackend{f}
	u := newTestUI(t, b)
	u.start(false)
	u.wait()
	r := u.firstRun.received
	r.showLink()
	r.link.SetText(sentLink)
	test.Tap(buttonOn(t, u, "Next"))
	u.wait()
	if u.firstRun.step != "received" || !strings.Contains(r.linkMsg.Text, "expired") {
		t.Fatalf("an expired link: step %q, message %q", u.firstRun.step, r.linkMsg.Text)
	}
	if u.win.Content() == u.main {
		t.Fatal("an expired link moved on to the main screen")
	}
}

// "I have no key yet" makes a key the usual way, and the main screen then
// says why the link cannot open with it and what to do.
func TestReceivedLinkWithoutAnyKey(t *testing.T) {
	f := newFakeBackend()
	u := newTestUI(t, f)
	u.start(false)
	u.wait()
	r := u.firstRun.received
	r.showLink()
	r.link.SetText(sentLink)
	r.onLink()
	test.Tap(buttonOn(t, u, "I have no key yet"))
	if u.firstRun.step != "key" {
		t.Fatalf("the step is %q, want key", u.firstRun.step)
	}
	test.Tap(u.firstRun.createBtn)
	u.wait()
	if u.firstRun.step != "backup" {
		t.Fatalf("after creating a key the step is %q", u.firstRun.step)
	}
	test.Tap(u.firstRun.laterBtn)
	u.wait()
	if u.win.Content() != u.main || !strings.Contains(u.status.Text, "ask for a new link") {
		t.Fatalf("main shown %v, status %q", u.win.Content() == u.main, u.status.Text)
	}
	if len(f.opened) != 0 {
		t.Error("the link was tried with a key made after it was sent")
	}
}

type failingLinkBackend struct{ *fakeBackend }

func (b failingLinkBackend) Sharing() Sharing { return failingSharing{(*fakeSharing)(b.fakeBackend)} }

type failingSharing struct{ *fakeSharing }

func (failingSharing) OpenLink(context.Context, string, string) (JobID, error) {
	return "", fmt.Errorf("open link: %w", transfer.ErrLinkExpired)
}

// buttonOn finds the button with text on the window's content.
func buttonOn(t *testing.T, u *appUI, text string) *widget.Button {
	t.Helper()
	for _, o := range test.LaidOutObjects(u.win.Content()) {
		if b, ok := unwrapped(o).(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q on screen", text)
	return nil
}
