package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// realUploads starts the local endpoint with a key and queues an upload of
// each named file (size bytes of one value each), returning the jobs.
func realUploads(t *testing.T, b *realBackend, size int, names ...string) ([]JobID, map[string][]byte) {
	t.Helper()
	if _, err := b.StartLocal(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Keys().Generate(context.Background(), "Mine", 2048); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var paths []string
	data := map[string][]byte{}
	for i, name := range names {
		data[name] = bytes.Repeat([]byte{byte(i + 1)}, size)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data[name], 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	// Replace: these tests are about transfers, not the question asked
	// when a name is taken (TestRealUploadExisting), and some stop the
	// endpoint first, which the check for taken names would need.
	ids, err := b.Transfers().Upload(context.Background(), UploadRequest{Paths: paths, Dest: Location{Account: localAccountName, Bucket: demoBucket}, KeyFor: "Mine", Existing: ReplaceExisting})
	if err != nil || len(ids) != len(names) {
		t.Fatal(ids, err)
	}
	return ids, data
}

// TestRealPausedTransferStaysPaused pauses an upload, closes the app's
// backend and opens it again: the row is paused, nothing is sent until
// Resume, and Resume finishes it.
func TestRealPausedTransferStaysPaused(t *testing.T) {
	home := t.TempDir()
	b := openTestBackend(t, home)
	ids, data := realUploads(t, b, 16<<20, "big.bin")
	if err := b.Transfers().Pause(ids[0]); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)
	if j := b.Transfers().Jobs()[0]; j.State != JobPaused {
		t.Fatalf("the upload ended %v (%v) before the pause took hold", j.State, j.Err)
	}
	// A paused transfer has not ended: Remove says so, and it stays.
	if notEnded, err := b.Transfers().Remove(ids[0]); !notEnded || err == nil {
		t.Fatalf("removing a paused upload: not ended %v, %v", notEnded, err)
	}
	if got := jobNames(b.Transfers().Jobs()); !slices.Equal(got, []string{"big.bin"}) {
		t.Fatalf("after removing a paused upload the list holds %q", got)
	}
	b.Close()

	b2 := openTestBackend(t, home)
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 768))
	u := newAppUI(a, w, b2, home, Prefs{})
	t.Cleanup(u.close)
	u.do(u.showMain)
	u.wait()
	waitJobs(t, b2) // returns at once: a paused job does not run
	u.wait()
	if got := panelNames(u.transfers); !slices.Equal(got, []string{"big.bin"}) {
		t.Fatalf("after reopening the panel lists %q", got)
	}
	u.uiMu.Lock()
	row := newJobRow(u.transfers)
	row.show(0)
	state, resumeHidden := row.state.Text, row.resume.Hidden
	u.uiMu.Unlock()
	if j := b2.Transfers().Jobs()[0]; j.State != JobPaused || state != "Paused" || resumeHidden {
		t.Fatalf("after reopening the upload is %v, its row says %q with Resume hidden %v", j.State, state, resumeHidden)
	}
	if ok, err := sdkBucket(t, b2).IsObjectExist("big.bin"); err != nil || ok {
		t.Fatalf("a paused upload was completed after reopening (%v)", err)
	}
	u.uiMu.Lock()
	test.Tap(row.resume)
	u.uiMu.Unlock()
	waitJobs(t, b2)
	u.wait()
	if j := b2.Transfers().Jobs()[0]; j.State != JobDone {
		t.Fatalf("resumed upload ended %v: %v", j.State, j.Err)
	}
	checkEncrypted(t, sdkBucket(t, b2), b2.Vault(), "big.bin", data["big.bin"])
	b2.Close()
	if jobs := openTestBackend(t, home).Transfers().Jobs(); len(jobs) != 0 {
		t.Fatalf("a finished job came back: %+v", jobs)
	}
}

// TestRealRemoveFailedTransfer: a failed upload removed from the list does
// not come back after a restart; one left there does.
func TestRealRemoveFailedTransfer(t *testing.T) {
	shortRetries(t)
	home := t.TempDir()
	b := openTestBackend(t, home)
	if _, err := b.StartLocal(); err != nil {
		t.Fatal(err)
	}
	// The endpoint stops: every upload fails, and may work another time.
	b.Local().Close()
	ids, _ := realUploads(t, b, 1<<20, "removed.bin", "kept.bin")
	waitJobs(t, b)
	for _, j := range b.Transfers().Jobs() {
		if j.State != JobFailed || !j.Retryable {
			t.Fatalf("%s ended %v, retryable %v (%v), want failed and retryable", j.Name, j.State, j.Retryable, j.Err)
		}
	}
	if notEnded, err := b.Transfers().Remove(ids[0]); notEnded || err != nil {
		t.Fatalf("removing a failed upload: not ended %v, %v", notEnded, err)
	}
	if got := jobNames(b.Transfers().Jobs()); !slices.Equal(got, []string{"kept.bin"}) {
		t.Fatalf("after Remove the list holds %q", got)
	}
	b.Close()

	b2 := openTestBackend(t, home)
	if got := jobNames(b2.Transfers().Jobs()); !slices.Equal(got, []string{"kept.bin"}) {
		t.Fatalf("after reopening the list holds %q, want only the failed upload left there", got)
	}
	waitJobs(t, b2)
	for _, j := range b2.Transfers().Jobs() {
		if j.State != JobDone {
			t.Fatalf("%s ended %v (%v) with the endpoint back", j.Name, j.State, j.Err)
		}
		if _, err := b2.Transfers().Remove(j.ID); err != nil {
			t.Fatalf("removing a finished upload: %v", err)
		}
	}
	if jobs := b2.Transfers().Jobs(); len(jobs) != 0 {
		t.Fatalf("after removing the finished upload: %+v", jobs)
	}
	if ok, _ := sdkBucket(t, b2).IsObjectExist("removed.bin"); ok {
		t.Fatal("the removed upload reached the bucket")
	}
}

func jobNames(jobs []Job) []string {
	var out []string
	for _, j := range jobs {
		out = append(out, j.Name)
	}
	return out
}
