package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

func TestFirstRunTryLocally(t *testing.T) {
	f := newFakeBackend()
	u := newTestUI(t, f)
	u.start(false)
	u.wait()
	if u.firstRun.step != "welcome" {
		t.Fatalf("a new user sees step %q, want welcome", u.firstRun.step)
	}
	test.AssertRendersToMarkup(t, "firstrun_welcome.xml", u.win.Canvas())

	u.firstRun.onTryLocal()
	u.wait()
	if u.firstRun.step != "key" {
		t.Fatalf("after trying locally the step is %q, want key", u.firstRun.step)
	}
	if len(f.accounts) != 1 || !f.accounts[0].Local {
		t.Fatalf("accounts after trying locally: %+v", f.accounts)
	}

	f.genDelay = 50 * time.Millisecond
	u.firstRun.keyName.SetText("")
	test.Type(u.firstRun.keyName, "Carol")
	var busy bool
	u.do(func() {
		test.Tap(u.firstRun.createBtn)
		busy = u.firstRun.createBtn.Disabled() && u.firstRun.keyBusyMsg.Text != ""
	})
	if !busy {
		t.Error("while the key is being made, the buttons are not disabled or no message shows")
	}
	u.wait()
	if u.firstRun.step != "backup" {
		t.Fatalf("after creating a key the step is %q (%s), want backup", u.firstRun.step, u.firstRun.keyBusyMsg.Text)
	}
	if len(f.keys) != 1 || f.keys[0].Name != "Carol" || f.keys[0].Kind != KeyMine {
		t.Fatalf("keys after create: %+v", f.keys)
	}
	test.AssertRendersToMarkup(t, "firstrun_backup.xml", u.win.Canvas())

	// Mismatched passphrases are refused in words, and nothing is written.
	test.Type(u.firstRun.pass1, "correct horse battery")
	test.Type(u.firstRun.pass2, "correct horse battery!")
	var buf closeBuffer
	u.firstRun.onBackup(&buf)
	u.wait()
	if buf.Len() != 0 || !strings.Contains(u.firstRun.keyBusyMsg.Text, "not the same") {
		t.Fatalf("mismatched passphrases: wrote %d bytes, message %q", buf.Len(), u.firstRun.keyBusyMsg.Text)
	}
	u.firstRun.pass2.SetText("correct horse battery")
	u.firstRun.onBackup(&buf)
	u.wait()
	if !buf.closed || !strings.Contains(buf.String(), "Carol") || f.lastBackup != "correct horse battery" {
		t.Fatalf("backup: closed=%v content=%q passphrase=%q", buf.closed, buf.String(), f.lastBackup)
	}
	if u.win.Content() != u.main {
		t.Fatal("after the backup the main screen is not shown")
	}
	p, err := loadPrefs(u.home)
	if err != nil || !p.SetupDone {
		t.Fatalf("setup not recorded in the settings: %+v, %v", p, err)
	}
}

type closeBuffer struct {
	bytes.Buffer
	closed bool
}

func (b *closeBuffer) Close() error { b.closed = true; return nil }

func TestFirstRunConnect(t *testing.T) {
	f := newFakeBackend()
	u := newTestUI(t, f)
	u.start(false)
	u.wait()
	fr := u.firstRun
	fr.showConnect()
	if fr.step != "connect" {
		t.Fatalf("step %q", fr.step)
	}
	if len(fr.region.Options) != len(ossRegions) || len(ossRegions) < 24 {
		t.Fatalf("region picker has %d choices", len(fr.region.Options))
	}

	// Missing secret: a sentence, no call.
	test.Type(fr.keyID, "LTAI-test")
	test.Tap(fr.connectBtn)
	u.wait()
	if len(f.accounts) != 0 || !strings.Contains(fr.connectErr.Text, "AccessKey secret") {
		t.Fatalf("missing secret: accounts %v, message %q", f.accounts, fr.connectErr.Text)
	}

	// Wrong credentials as the transfer engine reports them.
	f.addErr = errAccessDeniedForTest()
	test.Type(fr.keySecret, "s3cret-value")
	fr.region.SetSelected(ossRegions[1].label())
	test.Tap(fr.connectBtn)
	u.wait()
	if !strings.Contains(fr.connectErr.Text, "sign-in details") || strings.Contains(fr.connectErr.Text, "s3cret") {
		t.Fatalf("wrong credentials message: %q", fr.connectErr.Text)
	}

	f.addErr = nil
	test.Tap(fr.connectBtn)
	u.wait()
	if len(f.accounts) != 1 {
		t.Fatalf("accounts: %+v", f.accounts)
	}
	a := f.accounts[0]
	if a.Region != "cn-shanghai" || a.Endpoint != "https://oss-cn-shanghai.aliyuncs.com" {
		t.Errorf("account %+v, want cn-shanghai and its public endpoint", a)
	}
	if c := f.secrets[a.Name]; c.AccessKeyID != "LTAI-test" || c.AccessKeySecret != "s3cret-value" {
		t.Errorf("credentials saved: %+v", c)
	}
	if fr.step != "key" {
		t.Errorf("after connecting the step is %q, want key", fr.step)
	}
}

func TestAddStorageFromMainScreen(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	test.Tap(u.browser.addAccount)
	fr := u.firstRun
	if u.win.Content() != fr.content || fr.step != "connect" {
		t.Fatalf("add storage shows step %q", fr.step)
	}
	fr.accountName.SetText("Head office")
	fr.keyID.SetText("LTAI-office")
	fr.keySecret.SetText("office-secret")
	test.Tap(fr.connectBtn)
	u.wait()
	if u.win.Content() != u.main || len(f.accounts) != 2 || f.accounts[1].Name != "Head office" {
		t.Fatalf("after adding: main shown %v, accounts %+v", u.win.Content() == u.main, f.accounts)
	}
	if len(u.browser.accounts) != 2 {
		t.Fatalf("sidebar accounts %+v", u.browser.accounts)
	}
}

func TestFirstRunLocalFlagSkipsToKey(t *testing.T) {
	f := newFakeBackend()
	u := newTestUI(t, f)
	u.start(true)
	u.wait()
	if u.firstRun.step != "key" || len(f.accounts) != 1 || !f.accounts[0].Local {
		t.Fatalf("--local: step %q, accounts %+v", u.firstRun.step, f.accounts)
	}
	f.keys = []Key{{Name: "Mine", Kind: KeyMine}}
	u2 := newTestUI(t, f)
	u2.start(true)
	u2.wait()
	if u2.win.Content() != u2.main {
		t.Fatal("--local with a key did not go straight to the main screen")
	}
}
