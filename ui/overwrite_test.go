package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
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
			if len(reqs) != 2 || reqs[1].PerKey["report.pdf"] != tc.want || len(reqs[1].PerKey) != 1 || jobs != want {
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

// A dropped folder whose files clash is asked about file by file, each
// named by its path below the folder on screen (two notes.txt in two
// subfolders are told apart), and the answers go up as one upload: the
// bucket ends with the first replaced, the second as it was and the third
// beside the old one.
func TestUploadFolderClashesAskEach(t *testing.T) {
	f := readyFake()
	old := map[string]string{}
	for _, k := range []string{"payroll/a/notes.txt", "payroll/b/notes.txt", "payroll/march.xlsx"} {
		f.addObject("This computer", "demo", k, 10, Lock{Kind: LockColleague, KeyName: "Alice", Seal: SealPresent})
		old[k] = f.bucket("This computer", "demo").objects[k].lock.ETag
	}
	u := startMain(t, f)
	folder := writeTree(t, "payroll", "a/notes.txt", "b/notes.txt", "march.xlsx", "june.xlsx")
	u.browser.uploadPaths([]string{folder})
	u.wait()
	for i, step := range []struct{ name, button string }{
		{"payroll/a/notes.txt", "Replace"},
		{"payroll/b/notes.txt", "Skip"},
		{"payroll/march.xlsx", "Keep both"},
	} {
		said := overlayText(t, u)
		if !strings.Contains(said, fmt.Sprintf("(%d of 3)", i+1)) || !strings.Contains(said, "“"+step.name+"” already exists") {
			t.Fatalf("question %d says %q, want %s named", i+1, said, step.name)
		}
		u.uiMu.Lock()
		test.Tap(overlayButton(t, u, step.button))
		u.uiMu.Unlock()
		u.wait()
	}
	f.mu.Lock()
	reqs, jobs := append([]UploadRequest(nil), f.uploads...), append([]Job(nil), f.jobs...)
	f.mu.Unlock()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want the refused one and one with the answers", len(reqs))
	}
	ft := f.Transfers().(*fakeTransfers)
	for _, j := range jobs {
		ft.set(j.ID, func(j *Job) { j.State = JobDone })
	}
	u.wait()
	objects := f.bucket("This computer", "demo").objects
	var keys []string
	for k := range objects {
		if strings.HasPrefix(k, "payroll/") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	want := []string{"payroll/a/notes.txt", "payroll/b/notes.txt", "payroll/june.xlsx", "payroll/march (2).xlsx", "payroll/march.xlsx"}
	if !slices.Equal(keys, want) {
		t.Fatalf("the folder holds %q, want %q", keys, want)
	}
	if objects["payroll/a/notes.txt"].lock.ETag == old["payroll/a/notes.txt"] {
		t.Error("a/notes.txt, answered Replace, was not replaced")
	}
	for _, k := range []string{"payroll/b/notes.txt", "payroll/march.xlsx"} {
		if objects[k].lock.ETag != old[k] {
			t.Errorf("%s, answered Skip or Keep both, was replaced", k)
		}
	}
}

// With 500 clashing files in a dropped folder, "for all" on the first
// question answers every one: no second question, one upload.
func TestUploadFolderClashesForAll(t *testing.T) {
	f := readyFake()
	var names []string
	for i := range 500 {
		n := fmt.Sprintf("scan-%03d.pdf", i)
		names = append(names, n)
		f.addObject("This computer", "demo", "scans/"+n, 10, Lock{Kind: LockColleague, KeyName: "Alice", Seal: SealPresent})
	}
	u := startMain(t, f)
	u.browser.uploadPaths([]string{writeTree(t, "scans", names...)})
	u.wait()
	if said := overlayText(t, u); !strings.Contains(said, "(1 of 500)") {
		t.Fatalf("the first question says %q", said)
	}
	u.uiMu.Lock()
	var forAll *widget.Check
	for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
		if c, ok := unwrapped(o).(*widget.Check); ok {
			forAll = c
		}
	}
	if forAll == nil || forAll.Text != "Do the same for the other 499 files that already exist" {
		u.uiMu.Unlock()
		t.Fatalf("the box: %+v", forAll)
	}
	test.Tap(forAll)
	test.Tap(overlayButton(t, u, "Keep both"))
	u.uiMu.Unlock()
	u.wait()
	u.do(func() {
		if top := u.win.Canvas().Overlays().Top(); top != nil {
			t.Errorf("a second question after \"for all\": %v", top)
		}
	})
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.uploads) != 2 || len(f.uploads[1].PerKey) != 500 || len(f.jobs) != 500 {
		t.Fatalf("%d requests (answers %d), %d jobs; want one answered request for 500 files", len(f.uploads), len(f.uploads[len(f.uploads)-1].PerKey), len(f.jobs))
	}
	for _, j := range f.jobs {
		if !strings.HasSuffix(j.Key, " (2).pdf") {
			t.Fatalf("%s was not kept beside the old one", j.Key)
		}
	}
}

// writeTree writes a folder named root holding files at the slash paths
// names, and returns it.
func writeTree(t *testing.T, root string, names ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), root)
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("new "+n), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
