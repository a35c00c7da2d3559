package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Bob, on a computer with nothing set up, goes from the first screen to
// the opened file with only the link Alice sent and the backup of his key:
// the real keychain, the real endpoint, the real download and decryption.
func TestRealReceivedLinkOnFreshHome(t *testing.T) {
	ctx := context.Background()
	alice := openLocalWithKey(t, t.TempDir())

	// Bob made his key on another computer, saved a backup and sent
	// Alice his public key.
	bobBefore := openTestBackend(t, t.TempDir())
	if _, err := bobBefore.Keys().Generate(ctx, "Bob", 2048); err != nil {
		t.Fatal(err)
	}
	const pass = "blue kettle on the shelf"
	var backup bytes.Buffer
	if err := bobBefore.Keys().Backup(ctx, &backup, pass); err != nil {
		t.Fatal(err)
	}
	pub, err := bobBefore.Keys().ExportPublic(ctx, "Bob")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Keys().AddPublic(ctx, "Bob", pub); err != nil {
		t.Fatal(err)
	}

	plain := bytes.Repeat([]byte("March payroll: Bob 4100\n"), 4000)
	src := filepath.Join(t.TempDir(), "march.csv")
	if err := os.WriteFile(src, plain, 0o600); err != nil {
		t.Fatal(err)
	}
	loc := Location{Account: localAccountName, Bucket: demoBucket}
	if _, err := alice.Transfers().Upload(ctx, UploadRequest{Paths: []string{src}, Dest: loc, KeyFor: "Bob"}); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, alice)
	shared, err := alice.Sharing().Share(ctx, loc, "march.csv", "Bob", time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}

	// Bob's new computer.
	bobHome := t.TempDir()
	bob := openTestBackend(t, bobHome)
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 768))
	downloads := t.TempDir()
	u := newAppUI(a, w, bob, bobHome, Prefs{DownloadDir: downloads})
	t.Cleanup(u.close)
	u.start(false)
	u.wait()
	if u.firstRun.step != "welcome" {
		t.Fatalf("a fresh home starts on step %q", u.firstRun.step)
	}
	test.Tap(buttonOn(t, u, "I received a link"))
	r := u.firstRun.received
	r.link.SetText(shared.Link)
	test.Tap(buttonOn(t, u, "Next"))
	if u.firstRun.step != "received-key" {
		t.Fatalf("after the link the step is %q (%s)", u.firstRun.step, r.linkMsg.Text)
	}
	r.backupName, r.backup = "ossvault-keys-backup.age", backup.Bytes()
	r.showKey()
	test.Type(r.pass, pass)
	test.Tap(r.restoreBtn)
	u.wait()
	if u.win.Content() != u.main {
		t.Fatalf("after the restore: step %q, key page says %q, link page says %q", u.firstRun.step, r.keyMsg.Text, r.linkMsg.Text)
	}
	waitJobs(t, bob)
	got, err := os.ReadFile(filepath.Join(downloads, "march.csv"))
	if err != nil {
		entries, _ := os.ReadDir(downloads)
		t.Fatalf("the opened file is not in the download folder (%v): %v", entries, err)
	}
	if !bytes.Equal(got, plain) {
		t.Fatalf("the opened file holds %d bytes, not the %d Alice sent", len(got), len(plain))
	}
	if accts, _ := bob.Accounts().List(ctx); len(accts) != 0 {
		t.Errorf("opening a link set up storage accounts: %+v", accts)
	}
}
