package ui

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/cli"
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
	a, err := b.vault.Account(localAccountName)
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
	if b.local == nil {
		t.Fatal("the local storage did not start again")
	}
	if b.localMoved() {
		t.Fatal("the local storage moved though its port was free")
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.local.account.Endpoint; got != "http://"+u.Host || localAccountEndpoint(t, b) != got {
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
	if strings.Contains(text, b.local.cred.AccessKeySecret) {
		t.Fatal("the command line printed the secret")
	}
}
