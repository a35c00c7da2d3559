package ui

import (
	"crypto/rand"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestE2EQuitWithTransfers closes the real window (the window manager's
// WM_DELETE_WINDOW) while a folder and a large file upload: the window says
// they stop and carry on the next time; after Quit the app exits, and once
// started again on the same home the transfers carry on by themselves and
// finish, and the command line's get decrypts every file whole.
//
// On the build the issue was filed against closing said nothing: the
// window closed at once (the question is never seen), and a person could
// not tell the uploads would resume.
func TestE2EQuitWithTransfers(t *testing.T) {
	bin := buildApp(t)
	w := openTransferWindow(t, bin, Prefs{Parallel: 1})
	dir := t.TempDir()
	big := sparseFile(t, dir, "archive.bin", 1<<30)
	folder := filepath.Join(dir, "Quarter")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	for _, name := range []string{"a.txt", "b.txt", "c.txt"} {
		data := make([]byte, 256<<10)
		rand.Read(data)
		if err := os.WriteFile(filepath.Join(folder, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
		want["Quarter/"+name] = data
	}
	w.tab("Transfers")
	w.waitText("Nothing is being uploaded", 30*time.Second)
	w.drop(big)
	w.waitRow("archive.bin", "under way", 60*time.Second, func(r shownRow) bool {
		return running(r) && strings.Contains(r.detail, " / ") && !strings.HasPrefix(r.detail, "0 B")
	})
	w.drop(folder)
	w.waitText("Quarter (3 files)", 30*time.Second)

	// Closing asks, and says the transfers carry on next time.
	if err := w.src.closeWindow(w.win); err != nil {
		t.Fatal(err)
	}
	if q := w.waitText("Quit ossvault?", 10*time.Second); q.Layer == 0 {
		w.fatalf("closing with transfers under way shows %+v, not a question", q)
	}
	w.waitSays("transfers are not finished. If you quit now they stop, and carry on from where they were the next time you open ossvault.", 5*time.Second)
	w.click("button", "Quit")
	if err := waitExit(w.exited, 30*time.Second); err != nil {
		w.fatalf("after Quit: %v", err)
	}
	if queuedJobs(t, w.home) == 0 {
		t.Fatal("the app quit with nothing left to carry on")
	}

	// Started again, the app carries on by itself and finishes.
	w.start(t)
	w.tab("Transfers")
	w.wait("the transfers finished", 2*time.Minute, func(v screenText) bool {
		r, ok := v.row("archive.bin")
		g, gok := v.row("Quarter (3 files)")
		return ok && gok && r.state == "Uploaded" && g.state == "Uploaded" && strings.Contains(v.summary(), "All transfers are done.")
	})
	if n := queuedJobs(t, w.home); n > 0 {
		w.fatalf("the journal still holds %d queued jobs", n)
	}

	// Every file decrypts whole.
	me := &person{t: t, bin: bin, name: "the user", home: w.home, env: w.env}
	out := t.TempDir()
	local := []string{"--account", localAccountName}
	for key, data := range want {
		dest := filepath.Join(out, filepath.Base(key))
		me.must(nil, append([]string{"get", "oss://" + demoBucket + "/" + key, dest}, local...)...)
		sameFile(t, "get", dest, data)
	}
	dest := filepath.Join(out, "archive.bin")
	me.must(nil, append([]string{"get", "oss://" + demoBucket + "/archive.bin", dest}, local...)...)
	if got, want := fileSum(t, dest), fileSum(t, big); got != want {
		t.Errorf("archive.bin decrypted to other bytes than the file's")
	}
}

// fileSum is the SHA-256 of the file at p.
func fileSum(t *testing.T, p string) [sha256.Size]byte {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	var sum [sha256.Size]byte
	copy(sum[:], h.Sum(nil))
	return sum
}
