package ui

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// The same through the real vault and keychain: there, removing the
// default key leaves no default, and the colleague "Bob" is listed before
// "Mine". Removing my only key chooses nobody and refuses the upload;
// restoring it from a backup chooses it again, not Bob.
func TestRealRemovingMyKeyNeverChoosesAColleague(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	b := openTestBackend(t, home)
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 768))
	u := newAppUI(a, w, b, home, Prefs{DownloadDir: filepath.Join(home, "Downloads")})
	t.Cleanup(u.close)
	u.start(true)
	u.wait()
	u.firstRun.keyName.SetText("Mine")
	test.Tap(u.firstRun.createBtn)
	u.wait()
	u.do(func() { test.Tap(u.firstRun.laterBtn) })
	u.wait()
	if !u.browser.hasLoc {
		t.Fatalf("no folder open after the first run (step %q)", u.firstRun.step)
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if _, err := b.Keys().AddPublic(ctx, "Bob", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})); err != nil {
		t.Fatal(err)
	}
	var backup bytes.Buffer
	if err := b.Keys().Backup(ctx, &backup, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	u.do(u.reloadKeys)
	u.wait()

	removeKeyInApp(t, u, "Mine")
	var got string
	u.do(func() { got = u.browser.encryptFor.Selected })
	u.wait()
	if got != "" {
		t.Fatalf("after removing my key, Encrypt for is %q, want nobody", got)
	}
	uploadRefusedForNoKey(t, u, func() int { return len(b.Transfers().Jobs()) })
	u.do(func() { test.Tap(overlayButton(t, u, "OK")) })
	u.wait()

	u.do(func() { u.keysView.restore(backup.Bytes(), "correct horse battery") })
	u.wait()
	u.wait()
	u.do(func() { got = u.browser.encryptFor.Selected })
	u.wait()
	if got != "Me (Mine)" {
		t.Fatalf("after restoring my key, Encrypt for is %q, want my key", got)
	}
}
