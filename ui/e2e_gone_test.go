package ui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestE2EFileGoneBeforeUpload drops a file that waits its turn behind a
// large one, and deletes it before its turn comes: its row fails with the
// sentence for a missing file, whole, which says what to do; put back, as
// a disk plugged in again, Retry uploads it.
//
// On the build issue 15 was filed against, a missing file read as a
// generic error that named nothing to do.
func TestE2EFileGoneBeforeUpload(t *testing.T) {
	bin := buildApp(t)
	w := openTransferWindow(t, bin, Prefs{Parallel: 1})
	dir := t.TempDir()
	w.tab("Transfers")
	w.waitText("Nothing is being uploaded", 30*time.Second)

	w.drop(sparseFile(t, dir, "first.bin", bigFile))
	w.waitRow("first.bin", "running", 60*time.Second, running)
	gone := filepath.Join(dir, "minutes.txt")
	if err := os.WriteFile(gone, []byte("minutes of the meeting\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.drop(gone)
	w.waitRow("minutes.txt", "waiting", 30*time.Second, func(r shownRow) bool { return r.state == "Waiting" })
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	// Its turn: the large file pauses, and the queue starts the next.
	w.clickRowButton("first.bin", "media-pause")
	r, v := w.waitRow("minutes.txt", "failed", 60*time.Second, func(r shownRow) bool { return r.state == "Failed" })
	const want = "The file or folder could not be found on this computer: it was moved, renamed or deleted, or its disk is not connected. Put it back and retry, or choose it again where it is now."
	if !v.says(want) {
		w.fatalf("the failed row does not say %q whole", want)
	}
	// Put back (a disk plugged in again), Retry uploads it.
	if err := os.WriteFile(gone, []byte("minutes of the meeting\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.button("view-refresh"); !ok {
		w.fatalf("the failed row offers no Retry")
	}
	w.clickRowButton("minutes.txt", "view-refresh")
	w.waitRow("minutes.txt", "uploaded", 60*time.Second, func(r shownRow) bool { return r.state == "Uploaded" })
	ls := exec.Command(w.bin, "ls", "oss://"+demoBucket, "--account", localAccountName)
	ls.Env = w.env
	out, err := ls.CombinedOutput()
	if err != nil {
		w.fatalf("ls: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "\tminutes.txt\n") {
		w.fatalf("the file put back and retried is not in the bucket:\n%s", out)
	}
}
