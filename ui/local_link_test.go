package ui

import (
	"bytes"
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/internal/cli"
)

// TestRealLocalStorePortTaken: when another program holds the store's port,
// the store takes a new one, its saved account follows, the user is told,
// and an old link explains itself in plain words instead of blaming the
// network.
func TestRealLocalStorePortTaken(t *testing.T) {
	shortRetries(t)
	home := t.TempDir()
	link, data := shareLocalFile(t, home)
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	squatter, err := net.Listen("tcp", u.Host)
	if err != nil {
		t.Fatalf("cannot take the old port for the test: %v", err)
	}
	b := openTestBackend(t, home)
	squatter.Close() // now nothing answers on the old port
	if b.Local() == nil || !b.LocalMoved() {
		t.Fatal("the store did not say it moved")
	}
	newEndpoint := b.Local().Account.Endpoint
	if newEndpoint == "http://"+u.Host || localAccountEndpoint(t, b) != newEndpoint {
		t.Fatalf("old %s, running at %s, saved account at %s", u.Host, newEndpoint, localAccountEndpoint(t, b))
	}

	// The app tells the user, in plain words, when it opens.
	w := test.NewTempWindow(t, widget.NewLabel(""))
	ui := newAppUI(test.NewTempApp(t), w, b, home, Prefs{DownloadDir: filepath.Join(home, "Downloads")})
	t.Cleanup(ui.close)
	ui.start(false)
	ui.wait()
	var top fyne.CanvasObject
	var said []string
	// Under the UI lock: the "locked with" look-ups of the folder on
	// screen may still be landing.
	ui.do(func() {
		if top = w.Canvas().Overlays().Top(); top == nil {
			return
		}
		for _, o := range test.LaidOutObjects(top) {
			if l, ok := o.(*widget.Label); ok {
				said = append(said, l.Text)
			}
		}
	})
	if top == nil {
		t.Fatal("no word to the user that the store moved")
	}
	if text := strings.Join(said, " "); !strings.Contains(text, "Links made earlier for files on this computer no longer work") {
		t.Fatalf("the notice reads %q", text)
	}

	// The old link names the closed store, not the network.
	out := t.TempDir()
	if _, err := b.Sharing().OpenLink(context.Background(), link, out); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)
	j := lastJob(t, b)
	if j.State != JobFailed {
		t.Fatalf("the old link's download: state %v, want failed", j.State)
	}
	msg := explain(j.Err, nil)
	if !strings.Contains(msg, "computer running ossvault") || strings.Contains(msg, "internet") {
		t.Fatalf("the old link's failure reads %q (%v)", msg, j.Err)
	}

	// A new link works, and the command line follows the new address.
	fresh, err := b.Sharing().Share(context.Background(), Location{Account: localAccountName, Bucket: demoBucket}, "minutes.txt", "Mine", time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Sharing().OpenLink(context.Background(), fresh.Link, out); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)
	got, err := os.ReadFile(filepath.Join(out, "minutes.txt"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the new link downloaded %d bytes (want %d), %v", len(got), len(data), err)
	}
	text, code := runCLI(t, home, "ls", "oss://demo", "--account", localAccountName)
	if code != cli.ExitOK || !strings.Contains(text, "minutes.txt") {
		t.Fatalf("ossvault ls after the move: exit %d, output %q", code, text)
	}
}

// TestRefusedOnLoopback: a refused connection to this computer's loopback
// address (a closed app's store) gets its own words; other network failures
// keep the network advice.
func TestRefusedOnLoopback(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, refused := net.Dial("tcp", addr)
	if refused == nil {
		t.Fatal("a closed port accepted a connection")
	}
	remote := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 443},
		Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"closed local store", refused, "computer running ossvault"},
		{"closed local store, wrapped", &url.Error{Op: "Get", URL: "http://" + addr + "/demo/x", Err: refused}, "computer running ossvault"},
		{"refused elsewhere", remote, "internet connection"},
		{"no such host", &net.DNSError{Err: "no such host", Name: "oss-cn-hangzhou.aliyuncs.com"}, "internet connection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := explain(tc.err, nil); !strings.Contains(got, tc.want) {
				t.Fatalf("%v reads %q, want it to mention %q", tc.err, got, tc.want)
			}
		})
	}
}
