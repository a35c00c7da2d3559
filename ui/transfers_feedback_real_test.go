package ui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// The transfer states through the real queue: a running upload reads
// "Preparing…" until its first byte, never "0 B / 0 B"; Pause shows
// "Pausing…" at once and the pause lands as Paused; closing the window
// with the other uploads under way asks first, and after Quit they carry
// on by themselves when the app opens again (the paused one stays paused).
func TestRealTransferFeedback(t *testing.T) {
	home := t.TempDir()
	b := openLocalWithKey(t, home)
	b.Transfers().SetParallel(1)
	a := test.NewTempApp(t)
	w := test.NewWindow(widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 768))
	u := newAppUI(a, w, b, home, Prefs{Parallel: 1, DownloadDir: filepath.Join(home, "Downloads")})
	t.Cleanup(u.close)
	u.start(false)
	u.wait()

	var mu sync.Mutex
	var details []string
	stop := b.Transfers().Subscribe(func(j Job) {
		if j.State == JobRunning {
			mu.Lock()
			details = append(details, detailText(j, func(error) string { return "" }))
			mu.Unlock()
		}
	})
	defer stop()
	dir := t.TempDir()
	data := map[string][]byte{"big.bin": bytes.Repeat([]byte{7}, 96<<20), "second.bin": bytes.Repeat([]byte{8}, 96<<20), "small.bin": []byte("small")}
	for name, d := range data {
		if err := os.WriteFile(filepath.Join(dir, name), d, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Transfers().Upload(context.Background(), UploadRequest{Paths: []string{filepath.Join(dir, "big.bin"), filepath.Join(dir, "second.bin"), filepath.Join(dir, "small.bin")},
		Dest: Location{Account: localAccountName, Bucket: demoBucket}, KeyFor: "Mine"}); err != nil {
		t.Fatal(err)
	}
	u.wait()

	// Pause the big one as soon as it runs.
	tapped := false
	for deadline := time.Now().Add(30 * time.Second); !tapped && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		u.do(func() {
			if len(u.transfers.jobs) == 0 || u.transfers.jobs[0].State != JobRunning {
				return
			}
			r := jobRowAt(t, u, 0)
			test.Tap(r.pause)
			tapped = true
			if r.state.Text != "Pausing…" || !r.pause.Disabled() {
				t.Errorf("right after Pause the row says %q (pause enabled %v)", r.state.Text, !r.pause.Disabled())
			}
		})
	}
	if !tapped {
		t.Fatal("the upload never ran")
	}
	// The queue's event reaches the window a moment after the queue
	// changed.
	var state string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		u.do(func() { state = jobRowAt(t, u, 0).state.Text })
		if state != "Pausing…" {
			break
		}
	}
	if j := b.Transfers().Jobs()[0]; j.State != JobPaused || state != "Paused" {
		t.Fatalf("after the pause landed the job is %v and its row says %q", j.State, state)
	}
	mu.Lock()
	if len(details) == 0 || details[0] != "Preparing…" {
		t.Errorf("the first running event reads %q", details)
	}
	for _, d := range details {
		if d == "0 B / 0 B" {
			t.Errorf("a running transfer read %q: %q", d, details)
		}
	}
	mu.Unlock()

	// The second upload runs now and the small one waits: closing asks.
	closed := false
	w.SetOnClosed(func() { closed = true })
	u.do(u.onCloseRequested)
	u.do(func() {
		n := u.transfers.unfinished()
		want := explainQuit(n)
		if n == 0 || closed || !overlaySays(u, want) {
			t.Errorf("closing with %d transfers under way: closed %v, asked %q %v", n, closed, want, overlaySays(u, want))
		}
		test.Tap(overlayButton(t, u, "Quit"))
	})
	if !closed {
		t.Error("Quit did not close the window")
	}
	u.close()
	b.Close()

	b2 := openTestBackend(t, home)
	waitJobs(t, b2)
	jobs := b2.Transfers().Jobs()
	if len(jobs) == 0 || jobs[0].Name != "big.bin" || jobs[0].State != JobPaused {
		t.Fatalf("after opening again: %+v", jobs)
	}
	for _, j := range jobs[1:] {
		if j.State != JobDone {
			t.Fatalf("after opening again %s ended %v: %v", j.Name, j.State, j.Err)
		}
	}
	for _, name := range []string{"second.bin", "small.bin"} {
		checkEncrypted(t, sdkBucket(t, b2), b2.Vault(), name, data[name])
	}
}

// explainQuit is the question asked on closing with n transfers under way.
func explainQuit(n int) string {
	if n == 1 {
		return "1 transfer is not finished. If you quit now it stops, and carries on from where it was the next time you open ossvault."
	}
	return fmt.Sprintf("%d transfers are not finished. If you quit now they stop, and carry on from where they were the next time you open ossvault.", n)
}
