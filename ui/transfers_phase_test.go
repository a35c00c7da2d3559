package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/app"
	"github.com/ossvault/ossvault/transfer"
)

// A 3 GB download sat at "Preparing…" while it re-read what an earlier run
// saved, and full at "3 GB / 3 GB" while it read the finished file back:
// both looked stuck. A row in such a phase says what it does and how far
// it got, and its bar shows the phase's own fraction.
func TestTransferPhaseText(t *testing.T) {
	const gb = 1 << 30
	for _, tc := range []struct {
		name string
		job  Job
		want string
		bar  float64
	}{
		{"resumed, re-reading", Job{State: JobRunning, Done: 2 * gb, Total: 3 * gb, Phase: app.JobReading, PhaseDone: 4, PhaseTotal: 10}, "Preparing… 40%", 0.4},
		{"first byte not yet, no phase", Job{State: JobRunning, Total: 3 * gb}, "Preparing…", 0},
		{"re-reading starts", Job{State: JobRunning, Total: 3 * gb, Phase: app.JobReading, PhaseTotal: 2 * gb}, "Preparing… 0%", 0},
		{"checking", Job{State: JobRunning, Done: 3 * gb, Total: 3 * gb, Speed: 5 << 20, Phase: app.JobChecking, PhaseDone: 6, PhaseTotal: 10}, "Checking the saved file… 60%", 0.6},
		{"checking ends", Job{State: JobRunning, Done: 3 * gb, Total: 3 * gb, Phase: app.JobChecking, PhaseDone: 10, PhaseTotal: 10}, "Checking the saved file… 100%", 1},
		{"moving bytes", Job{State: JobRunning, Done: 1 << 20, Total: 4 << 20}, "1.0 MB / 4.0 MB", 0.25},
		{"a phase of unknown size", Job{State: JobRunning, Done: 1 << 20, Total: 4 << 20, Phase: app.JobChecking}, "1.0 MB / 4.0 MB", 0.25},
		{"done after the check", Job{State: JobDone, Done: 1 << 20, Total: 1 << 20}, "1.0 MB / 1.0 MB", 1},
		{"paused while re-reading", Job{State: JobPaused, Done: 1 << 20, Total: 4 << 20, Phase: app.JobReading, PhaseDone: 1, PhaseTotal: 2}, "1.0 MB / 4.0 MB", 0.25},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := detailText(tc.job, func(error) string { return "" }); got != tc.want {
				t.Errorf("the row reads %q, want %q", got, tc.want)
			}
			if got := barValue(tc.job); got != tc.bar {
				t.Errorf("the bar shows %v, want %v", got, tc.bar)
			}
		})
	}
}

// A download through the real queue shows "Checking the saved file…" on
// its row, with its bar back at the start, between its last byte and the
// end; the check is held (transfer.TestHookChecking) until the row said
// so, since on a fast disk it is over before the window redraws.
func TestRealDownloadShowsChecking(t *testing.T) {
	home := t.TempDir()
	b := openLocalWithKey(t, home)
	a := test.NewTempApp(t)
	w := test.NewWindow(widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 768))
	u := newAppUI(a, w, b, home, Prefs{Parallel: 1, DownloadDir: filepath.Join(home, "Downloads")})
	t.Cleanup(u.close)
	u.start(false)
	u.wait()

	data := bytes.Repeat([]byte("ossvault"), 3<<20)
	src := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	loc := Location{Account: localAccountName, Bucket: demoBucket}
	if _, err := b.Transfers().Upload(context.Background(), UploadRequest{Paths: []string{src}, Dest: loc, KeyFor: "Mine"}); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)

	checking, release := make(chan struct{}, 1), make(chan struct{})
	transfer.TestHookChecking = func() {
		checking <- struct{}{}
		select {
		case <-release:
		case <-time.After(30 * time.Second):
		}
	}
	var once sync.Once
	letGo := func() { once.Do(func() { close(release) }) }
	defer letGo()
	t.Cleanup(func() { transfer.TestHookChecking = nil })
	dir := t.TempDir()
	if _, err := b.Transfers().Download(context.Background(), loc, "big.bin", dir); err != nil {
		t.Fatal(err)
	}
	select {
	case <-checking:
	case <-time.After(60 * time.Second):
		t.Fatal("the download never reached its check")
	}
	_, bar := waitDownloadRow(t, u, func(r *jobRow) bool { return strings.HasPrefix(r.detail.Text, "Checking the saved file…") })
	letGo()
	if bar != 0 {
		t.Errorf("as the check starts the bar shows %v, want its own 0", bar)
	}
	waitJobs(t, b)
	detail, _ := waitDownloadRow(t, u, func(r *jobRow) bool { return !strings.HasPrefix(r.detail.Text, "Checking") })
	if j := b.Transfers().Jobs(); len(j) != 2 || j[1].State != JobDone {
		t.Fatalf("after the check the jobs are %+v", j)
	}
	if strings.Contains(detail, "Checking") || strings.Contains(detail, "Preparing") {
		t.Errorf("the finished row reads %q", detail)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "big.bin")); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the download differs: %v", err)
	}
}

// waitDownloadRow waits, within a bound, until the row of the last job on
// u's list (a download) satisfies ok, and returns its detail and bar.
func waitDownloadRow(t *testing.T, u *appUI, ok func(*jobRow) bool) (detail string, bar float64) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		done := false
		u.do(func() {
			if n := len(u.transfers.jobs); n == 0 || u.transfers.jobs[n-1].Kind != Download {
				return
			}
			r := jobRowAt(t, u, len(u.transfers.jobs)-1)
			detail, bar, done = r.detail.Text, r.bar.Value, ok(r)
		})
		if done {
			return detail, bar
		}
	}
	t.Fatalf("the download's row never changed as expected; it reads %q", detail)
	return "", 0
}
