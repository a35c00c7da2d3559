package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// unwritableDir is a folder this process cannot create files in: one
// without write permission, or for root (whom permissions do not stop) a
// folder of the kernel's own file system.
func unwritableDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "read-only")
	if err := os.Mkdir(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	if os.Geteuid() == 0 {
		dir = "/sys/kernel"
	}
	f, err := os.CreateTemp(dir, "probe-*")
	if err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skipf("%s can be written here", dir)
	}
	if !errors.Is(err, os.ErrPermission) && !errors.Is(err, syscall.EROFS) {
		t.Skipf("%s cannot be written, but not for lack of permission: %v", dir, err)
	}
	return dir
}

// A shared link whose signature was changed (a forged or mangled link)
// was explained to its recipient, who has no account, as wrong AccessKey
// sign-in details. It now says the link is damaged, and so does a link
// that cannot be read as one.
func TestRealDamagedLinkSaysSo(t *testing.T) {
	home := t.TempDir()
	link, _ := shareLocalFile(t, home)
	b := openTestBackend(t, home)
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	const damaged = "This link is damaged or was changed: ask the sender for a new one."
	q := u.Query()
	sig := []byte(q.Get("Signature"))
	if len(sig) == 0 {
		t.Fatalf("the link has no Signature: %s", u.Redacted())
	}
	sig[0] ^= 1
	q.Set("Signature", string(sig))
	forged := *u
	forged.RawQuery = q.Encode()
	cut := *u
	cut.RawQuery = ""
	for _, tc := range []struct{ name, link string }{
		{"signature changed", forged.String()},
		{"signature cut off", cut.String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := b.Sharing().OpenLink(context.Background(), tc.link, t.TempDir()); err != nil {
				t.Fatal(err)
			}
			waitJobs(t, b)
			j := lastJob(t, b)
			if j.State != JobFailed {
				t.Fatalf("the download ended %v", j.State)
			}
			if got := explain(j.Err, nil); got != damaged {
				t.Fatalf("the download failed with %v, read as %q", j.Err, got)
			}
		})
	}
	_, err = b.Sharing().OpenLink(context.Background(), "https://bucket.example.com/%zz?Signature=x", t.TempDir())
	if got := explain(err, nil); got != damaged {
		t.Fatalf("a link that cannot be parsed failed with %v, read as %q", err, got)
	}
}

// A download into a folder that cannot be written read "Cannot reach the
// storage service. Check this computer's internet connection". It now
// names the folder and says it cannot be written, whether the folder is
// there (the write fails in the transfer) or has to be made first.
func TestRealUnwritableDownloadFolderSaysSo(t *testing.T) {
	ctx := context.Background()
	b := openTestBackend(t, t.TempDir())
	realUploads(t, b, 4096, "pay.csv")
	waitJobs(t, b)
	ro := unwritableDir(t)
	loc := Location{Account: localAccountName, Bucket: demoBucket}
	want := func(dir string) string {
		return "The folder “" + dir + "” cannot be written to: the disk is read-only or this computer does not allow it. Choose another download folder in Settings."
	}

	if _, err := b.Transfers().Download(ctx, loc, "pay.csv", ro); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)
	j := lastJob(t, b)
	if j.State != JobFailed {
		t.Fatalf("the download into %s ended %v", ro, j.State)
	}
	if got := explain(j.Err, nil); got != want(ro) {
		t.Fatalf("the download into %s failed with %v, read as %q", ro, j.Err, got)
	}

	sub := filepath.Join(ro, "Downloads")
	_, err := b.Transfers().Download(ctx, loc, "pay.csv", sub)
	if got := explain(err, nil); got != want(sub) {
		t.Fatalf("the download into %s failed with %v, read as %q", sub, err, got)
	}
	_, _, err = b.Transfers().DownloadFolder(ctx, loc, "", sub)
	if got := explain(err, nil); !strings.Contains(got, "cannot be written to") {
		t.Fatalf("the folder download into %s failed with %v, read as %q", sub, err, got)
	}
}

// Connecting to a web server that is not OSS read "Something went wrong"
// or "That file is no longer there"; it now says the address is not an
// OSS service. A refused connection keeps the network's own sentence.
func TestRealNotOSSServerSaysSo(t *testing.T) {
	b := openTestBackend(t, t.TempDir())
	for _, status := range []int{http.StatusOK, http.StatusNotFound, http.StatusForbidden} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(status)
				fmt.Fprint(w, "<html><body>It works!</body></html>")
			}))
			defer srv.Close()
			err := b.Accounts().Add(context.Background(), Account{Name: "Office", Endpoint: srv.URL},
				Credentials{AccessKeyID: "LTAI5tExample", AccessKeySecret: "secret"})
			if got := explain(err, nil); !strings.Contains(got, "not an OSS storage service") {
				t.Fatalf("adding %s failed with %v, read as %q", srv.URL, err, got)
			}
		})
	}
	if accts, _ := b.Accounts().List(context.Background()); len(accts) != 0 {
		t.Fatalf("accounts saved: %+v", accts)
	}
}

// Adding an account reads OSS's refusal through the adapter, as transfer's
// errors: a wrong secret is the sign-in details, a clock OSS finds wrong
// is the clock (it read "not allowed" before), and a key OSS knows but
// which may not list buckets is saved.
func TestRealAddAccountRefusals(t *testing.T) {
	faults := osslocal.NewFaults(1)
	srv := osstest.Start(t, osstest.WithFaults(faults))
	b := openTestBackend(t, t.TempDir())
	for _, tc := range []struct {
		name, secret, code string
		want               string // "" when the account is saved
	}{
		{"wrong secret", "wrong", "", "sign-in details for this storage account are not right"},
		{"clock", srv.AccessKeySecret, "RequestTimeTooSkewed", "clock is wrong"},
		{"may not list buckets", srv.AccessKeySecret, "AccessDenied", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.code != "" {
				defer faults.Remove(faults.Add(osslocal.Fault{Op: osslocal.OpListBuckets, Action: osslocal.FailWithCode(403, tc.code)}))
			}
			err := b.Accounts().Add(context.Background(), Account{Name: tc.name, Endpoint: srv.Endpoint},
				Credentials{AccessKeyID: srv.AccessKeyID, AccessKeySecret: tc.secret})
			if got := explain(err, nil); (tc.want == "") != (err == nil) || !strings.Contains(got, tc.want) {
				t.Fatalf("Add = %v, read as %q, want %q", err, got, tc.want)
			}
			_, saved := b.Vault().Account(tc.name)
			if (saved == nil) != (tc.want == "") {
				t.Fatalf("saved: %v, want %v", saved == nil, tc.want == "")
			}
		})
	}
}

// Importing from ossutil with no ossutil settings read "The file or folder
// could not be found on this computer."; it now says ossutil is not set
// up, where it looked, and what to do.
func TestRealOssutilMissingSaysSo(t *testing.T) {
	b := openTestBackend(t, t.TempDir())
	p := filepath.Join(t.TempDir(), ".ossutilconfig")
	_, err := b.Accounts().ImportOssutil(context.Background(), p)
	got := explain(err, nil)
	if !strings.Contains(got, "ossutil's settings were not found") || !strings.Contains(got, p) {
		t.Fatalf("importing from a missing %s failed with %v, read as %q", p, err, got)
	}
}
