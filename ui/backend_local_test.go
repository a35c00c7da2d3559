package ui

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/cli"
	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// shareLocalFile starts the local storage in home, uploads one file locked
// with a new key of this home, and returns a link to it and its bytes.
func shareLocalFile(t *testing.T, home string) (link string, data []byte) {
	t.Helper()
	b := openTestBackend(t, home)
	if _, err := b.Accounts().StartLocal(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Keys().Generate(context.Background(), "Mine", 2048); err != nil {
		t.Fatal(err)
	}
	data = bytes.Repeat([]byte("minutes of the board "), 5000)
	src := filepath.Join(t.TempDir(), "minutes.txt")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	loc := Location{Account: localAccountName, Bucket: demoBucket}
	if _, err := b.Transfers().Upload(context.Background(), UploadRequest{Paths: []string{src}, Dest: loc, KeyFor: "Mine"}); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)
	shared, err := b.Sharing().Share(context.Background(), loc, "minutes.txt", "Mine", time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	return shared.Link, data
}

// lastJob is the newest job of b's queue.
func lastJob(t *testing.T, b *realBackend) Job {
	t.Helper()
	jobs := b.Transfers().Jobs()
	if len(jobs) == 0 {
		t.Fatal("no jobs")
	}
	return jobs[len(jobs)-1]
}

// localAccountEndpoint is the saved account's endpoint, read as the command
// line reads it: from a vault of its own.
func localAccountEndpoint(t *testing.T, b *realBackend) string {
	t.Helper()
	a, err := b.Vault().Account(localAccountName)
	if err != nil {
		t.Fatal(err)
	}
	return a.Endpoint
}

// runCLI runs the command line in-process on home.
func runCLI(t *testing.T, home string, args ...string) (string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), args, cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errOut,
		Getenv: func(k string) string {
			if k == "OSSVAULT_HOME" {
				return home
			}
			return ""
		}}, nil)
	return out.String() + errOut.String(), code
}

// TestRealLocalStoreKeepsItsAddress: a link made for a file on "This
// computer" still opens after the app is closed and opened again, and the
// command line reaches the store through its saved account.
func TestRealLocalStoreKeepsItsAddress(t *testing.T) {
	home := t.TempDir()
	link, data := shareLocalFile(t, home)

	b := openTestBackend(t, home) // the local storage starts again by itself
	if b.Local() == nil {
		t.Fatal("the local storage did not start again")
	}
	if b.LocalMoved() {
		t.Fatal("the local storage moved though its port was free")
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Local().Account.Endpoint; got != "http://"+u.Host || localAccountEndpoint(t, b) != got {
		t.Fatalf("the storage runs at %s, the link points to %s, the saved account to %s", got, u.Host, localAccountEndpoint(t, b))
	}
	out := t.TempDir()
	if _, err := b.Sharing().OpenLink(context.Background(), link, out); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)
	if j := lastJob(t, b); j.State != JobDone {
		t.Fatalf("the old link's download: state %v, %v (%s)", j.State, j.Err, explain(j.Err, nil))
	}
	got, err := os.ReadFile(filepath.Join(out, "minutes.txt"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("downloaded %d bytes (want %d), %v", len(got), len(data), err)
	}

	// The app's own account is not listed twice, and the command line uses it.
	accts, err := b.Accounts().List(context.Background())
	if err != nil || len(accts) != 1 || !accts[0].Local {
		t.Fatalf("accounts listed: %+v, %v", accts, err)
	}
	text, code := runCLI(t, home, "ls", "oss://demo", "--account", localAccountName)
	if code != cli.ExitOK || !strings.Contains(text, "minutes.txt") {
		t.Fatalf("ossvault ls: exit %d, output %q", code, text)
	}
	if strings.Contains(text, b.Local().Credential.AccessKeySecret) {
		t.Fatal("the command line printed the secret")
	}
}

// TestRealLocalStoreRefusesImpostor: another program holds the saved port
// of "This computer" and answers like OSS without the store's key. Every
// way the app reaches the store refuses it, having sent it no signed
// request: the start (whether the system refuses the app the port or
// hands the port's connections to the other program) moves the store to
// a free port and says so, and work left for the store from an earlier
// run fails instead of reading the forgeries.
func TestRealLocalStoreRefusesImpostor(t *testing.T) {
	cases := []struct {
		name string
		// before runs once the impostor holds the saved address.
		before func(t *testing.T, home, saved string)
		check  func(t *testing.T, b *realBackend, im *osstest.Impostor, saved string)
	}{
		{name: "the port is taken", check: func(t *testing.T, b *realBackend, im *osstest.Impostor, saved string) {
			checkMoved(t, b, saved)
			if r := im.Requests(); len(r) != 0 {
				t.Fatalf("the impostor was sent %+v", r)
			}
		}},
		{name: "the system hands the port's connections to another program", before: func(t *testing.T, home, saved string) {
			// As on a system that let the store bind the address though
			// the impostor listens there too, and gives the impostor the
			// connections: the store's socket is somewhere else.
			listenTCP = func(network, addr string) (net.Listener, error) {
				if addr == saved {
					addr = localHost + ":0"
				}
				return net.Listen(network, addr)
			}
			t.Cleanup(func() { listenTCP = net.Listen })
		}, check: func(t *testing.T, b *realBackend, im *osstest.Impostor, saved string) {
			checkMoved(t, b, saved)
			if r := im.Requests(); len(r) != 1 || r[0].Signed || !strings.HasPrefix(r[0].URI, "/?ossvault-hello=") {
				t.Fatalf("the impostor was sent %+v, want the one unsigned challenge", r)
			}
		}},
		{name: "work left for the store after its folder is gone", before: func(t *testing.T, home, saved string) {
			if err := os.RemoveAll(filepath.Join(home, localDir)); err != nil {
				t.Fatal(err)
			}
		}, check: func(t *testing.T, b *realBackend, im *osstest.Impostor, saved string) {
			if b.Local() != nil {
				t.Fatal("the store started though its folder is gone")
			}
			buckets, err := b.Storage().Buckets(context.Background(), localAccountName)
			if !errors.Is(err, osslocal.ErrImpostor) || !strings.Contains(err.Error(), "another program is answering on This computer's address") {
				t.Fatalf("listed %v, %v; want the impostor refused", buckets, err)
			}
			if s := im.Signed(); len(s) != 0 {
				t.Fatalf("signed requests reached the impostor: %+v", s)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			home := t.TempDir()
			link, _ := shareLocalFile(t, home)
			u, err := url.Parse(link)
			if err != nil {
				t.Fatal(err)
			}
			im := osstest.StartImpostor(t, u.Host)
			if c.before != nil {
				c.before(t, home, u.Host)
			}
			b := openTestBackend(t, home)
			c.check(t, b, im, u.Host)
		})
	}
}

// checkMoved: the store runs on a new address, which it proved to be its
// own, its saved account follows, and the command line reaches it there.
func checkMoved(t *testing.T, b *realBackend, saved string) {
	t.Helper()
	if b.Local() == nil || !b.LocalMoved() {
		t.Fatal("the store did not say it moved")
	}
	endpoint := b.Local().Account.Endpoint
	if endpoint == "http://"+saved || localAccountEndpoint(t, b) != endpoint {
		t.Fatalf("saved at %s, running at %s, saved account at %s", saved, endpoint, localAccountEndpoint(t, b))
	}
	if err := osslocal.CheckHello(context.Background(), endpoint, b.Local().Credential.AccessKeyID, b.Local().Credential.AccessKeySecret); err != nil {
		t.Fatal(err)
	}
	if text, code := runCLI(t, b.Home(), "ls", "oss://demo", "--account", localAccountName); code != cli.ExitOK || !strings.Contains(text, "minutes.txt") {
		t.Fatalf("ossvault ls on the new address: exit %d, output %q", code, text)
	}
}

// TestRealLocalClientRefusesImpostor: the app's own client of "This
// computer" proves every new connection too, so that when the storage
// stops under it and another program takes the port, the next request
// reaches nobody.
func TestRealLocalClientRefusesImpostor(t *testing.T) {
	home := t.TempDir()
	shareLocalFile(t, home)
	b := openTestBackend(t, home)
	ctx := context.Background()
	if buckets, err := b.Storage().Buckets(ctx, localAccountName); err != nil || len(buckets) != 1 {
		t.Fatalf("listed %v, %v", buckets, err)
	}
	saved := strings.TrimPrefix(b.Local().Account.Endpoint, "http://")
	if err := b.Local().Close(); err != nil {
		t.Fatal(err)
	}
	im := osstest.StartImpostor(t, saved)
	buckets, err := b.Storage().Buckets(ctx, localAccountName)
	if !errors.Is(err, osslocal.ErrImpostor) {
		t.Fatalf("listed %v, %v; want the impostor refused", buckets, err)
	}
	if s := im.Signed(); len(s) != 0 {
		t.Fatalf("signed requests reached the impostor: %+v", s)
	}
}
