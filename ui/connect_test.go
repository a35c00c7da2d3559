package ui

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// hangingAccounts checks credentials against a server that never answers.
type hangingAccounts struct {
	*fakeAccounts
	started chan struct{}
}

func (a hangingAccounts) Add(ctx context.Context, _ Account, _ Credentials) error {
	close(a.started)
	<-ctx.Done()
	return ctx.Err()
}

type hangingBackend struct {
	*fakeBackend
	accounts hangingAccounts
}

func (b hangingBackend) Accounts() Accounts { return b.accounts }

func newHangingUI(t *testing.T) (*appUI, *fakeBackend, chan struct{}) {
	f := newFakeBackend()
	started := make(chan struct{})
	u := newTestUI(t, hangingBackend{f, hangingAccounts{(*fakeAccounts)(f), started}})
	u.start(false)
	u.wait()
	fr := u.firstRun
	fr.showConnect()
	test.Type(fr.keyID, "LTAI-test")
	test.Type(fr.keySecret, "s3cret-value")
	test.Type(fr.endpoint, "https://oss.example.internal")
	return u, f, started
}

// Cancel stops a check that hangs, says nothing was saved, and gives the
// form back.
func TestConnectCancel(t *testing.T) {
	u, f, started := newHangingUI(t)
	fr := u.firstRun
	if fr.cancelBtn.Visible() {
		t.Fatal("Cancel shows before anything is being checked")
	}
	test.Tap(fr.connectBtn)
	<-started
	var visible, disabled bool
	u.do(func() { visible, disabled = fr.cancelBtn.Visible(), fr.connectBtn.Disabled() })
	if !visible || !disabled {
		t.Fatalf("while checking: Cancel visible %v, Connect disabled %v", visible, disabled)
	}
	test.Tap(fr.cancelBtn)
	u.wait()
	if !strings.Contains(fr.connectErr.Text, "Nothing was saved") {
		t.Fatalf("after Cancel the page says %q", fr.connectErr.Text)
	}
	if fr.cancelBtn.Visible() || fr.connectBtn.Disabled() || len(f.accounts) != 0 || fr.step != "connect" {
		t.Fatalf("after Cancel: Cancel visible %v, Connect disabled %v, accounts %v, step %q",
			fr.cancelBtn.Visible(), fr.connectBtn.Disabled(), f.accounts, fr.step)
	}
}

// A server that never answers is given up on within the bound, with the
// address named, not after the minute the transport would wait.
func TestConnectGivesUpOnSilence(t *testing.T) {
	old := connectWait
	connectWait = 200 * time.Millisecond
	t.Cleanup(func() { connectWait = old })
	u, _, started := newHangingUI(t)
	fr := u.firstRun
	test.Tap(fr.connectBtn)
	<-started
	u.wait()
	if msg := fr.connectErr.Text; !strings.Contains(msg, "oss.example.internal") || !strings.Contains(msg, "did not answer") {
		t.Fatalf("after the bound the page says %q", msg)
	}
}

// The real backend against an address that accepts connections and never
// answers: the check ends at the bound, and no account is saved.
func TestRealConnectGivesUpOnSilence(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	old := connectWait
	connectWait = time.Second
	t.Cleanup(func() { connectWait = old })

	b := openTestBackend(t, t.TempDir())
	u := newTestUI(t, b)
	u.start(false)
	u.wait()
	fr := u.firstRun
	fr.showConnect()
	test.Type(fr.keyID, "LTAI-test")
	test.Type(fr.keySecret, "s3cret-value")
	test.Type(fr.endpoint, "http://"+ln.Addr().String())
	start := time.Now()
	test.Tap(fr.connectBtn)
	u.wait()
	took := time.Since(start)
	if !strings.Contains(fr.connectErr.Text, "did not answer") {
		t.Fatalf("a silent server: the page says %q after %v", fr.connectErr.Text, took)
	}
	if accts, _ := b.Accounts().List(context.Background()); len(accts) != 0 {
		t.Fatalf("accounts saved: %+v", accts)
	}
	t.Logf("gave up after %v", took)
}
