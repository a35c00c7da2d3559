package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"
)

// Uploading a file whose name is taken in the folder asks first; nothing
// is queued until the user answers, and the answer is what the upload
// does.
func TestUploadOverExistingAsks(t *testing.T) {
	for _, tc := range []struct {
		button string
		want   Existing
	}{
		{"Keep both", KeepBoth},
		{"Replace", ReplaceExisting},
		{"Cancel", AskExisting},
		{"Skip these", SkipExisting},
	} {
		t.Run(tc.button, func(t *testing.T) {
			f := readyFake()
			f.addObject("This computer", "demo", "report.pdf", 300, Lock{Kind: LockMine, KeyName: "My key", Seal: SealPresent})
			u := startMain(t, f)
			dir := t.TempDir()
			p := filepath.Join(dir, "report.pdf")
			if err := os.WriteFile(p, []byte("new"), 0o600); err != nil {
				t.Fatal(err)
			}
			// A second, new file: Skip is offered only when some are.
			q := filepath.Join(dir, "summary.pdf")
			if err := os.WriteFile(q, []byte("new too"), 0o600); err != nil {
				t.Fatal(err)
			}
			u.browser.uploadPaths([]string{p, q})
			u.wait()
			if n := len(f.Transfers().(*fakeTransfers).jobs); n != 0 {
				t.Fatalf("%d jobs queued before the question was answered", n)
			}
			if u.browser.existsDialog == nil {
				t.Fatal("no question about the existing file")
			}
			u.uiMu.Lock()
			test.Tap(overlayButton(t, u, tc.button))
			u.uiMu.Unlock()
			u.wait()
			f.mu.Lock()
			reqs, jobs := append([]UploadRequest(nil), f.uploads...), len(f.jobs)
			f.mu.Unlock()
			if tc.want == AskExisting {
				if len(reqs) != 1 || jobs != 0 {
					t.Fatalf("Cancel: %d requests, %d jobs", len(reqs), jobs)
				}
				return
			}
			want := 2 // both files, one of them under a free name or replacing
			if tc.want == SkipExisting {
				want = 1 // the new one only
			}
			if len(reqs) != 2 || reqs[1].Existing != tc.want || jobs != want {
				t.Fatalf("%s: requests %+v, %d jobs, want %d", tc.button, reqs, jobs, want)
			}
		})
	}
}

// The real backend refuses to replace a file without being told, keeps
// both under a free name, and replaces when told to.
func TestRealUploadExisting(t *testing.T) {
	ctx := context.Background()
	b := openTestBackend(t, t.TempDir())
	_, data := realUploads(t, b, 1000, "report.pdf")
	waitJobs(t, b)
	bk := sdkBucket(t, b)
	p := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(p, []byte("the new one"), 0o600); err != nil {
		t.Fatal(err)
	}
	dest := Location{Account: localAccountName, Bucket: demoBucket}
	_, err := b.Transfers().Upload(ctx, UploadRequest{Paths: []string{p}, Dest: dest, KeyFor: "Mine"})
	var exists *ExistsError
	if !errors.As(err, &exists) || len(exists.Names) != 1 || exists.Names[0] != "report.pdf" || exists.Total != 1 {
		t.Fatalf("an upload over an existing file: %v", err)
	}
	checkEncrypted(t, bk, b.Vault(), "report.pdf", data["report.pdf"])

	// Another name in the same folder is no clash: the folder holding a
	// file is not the file being there.
	other := filepath.Join(t.TempDir(), "summary.pdf")
	if err := os.WriteFile(other, []byte("a new name"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Transfers().Upload(ctx, UploadRequest{Paths: []string{other}, Dest: dest, KeyFor: "Mine"}); err != nil {
		t.Fatalf("an upload of a new name beside an existing file: %v", err)
	}
	waitJobs(t, b)
	checkEncrypted(t, bk, b.Vault(), "summary.pdf", []byte("a new name"))

	// Skip uploads only what is new: report.pdf stays as it was.
	third := filepath.Join(t.TempDir(), "annex.pdf")
	if err := os.WriteFile(third, []byte("the annex"), 0o600); err != nil {
		t.Fatal(err)
	}
	ids, err := b.Transfers().Upload(ctx, UploadRequest{Paths: []string{p, third}, Dest: dest, KeyFor: "Mine", Existing: SkipExisting})
	if err != nil || len(ids) != 1 {
		t.Fatalf("Skip: %d jobs, %v; want the new file alone", len(ids), err)
	}
	waitJobs(t, b)
	checkEncrypted(t, bk, b.Vault(), "annex.pdf", []byte("the annex"))
	checkEncrypted(t, bk, b.Vault(), "report.pdf", data["report.pdf"])

	for _, want := range []string{"report (2).pdf", "report (3).pdf"} {
		if _, err := b.Transfers().Upload(ctx, UploadRequest{Paths: []string{p}, Dest: dest, KeyFor: "Mine", Existing: KeepBoth}); err != nil {
			t.Fatal(err)
		}
		waitJobs(t, b)
		checkEncrypted(t, bk, b.Vault(), want, []byte("the new one"))
	}
	checkEncrypted(t, bk, b.Vault(), "report.pdf", data["report.pdf"])

	if _, err := b.Transfers().Upload(ctx, UploadRequest{Paths: []string{p}, Dest: dest, KeyFor: "Mine", Existing: ReplaceExisting}); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)
	checkEncrypted(t, bk, b.Vault(), "report.pdf", []byte("the new one"))
}
