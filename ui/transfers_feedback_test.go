package ui

import (
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// jobRowAt is the Transfers row on screen showing job i.
func jobRowAt(t *testing.T, u *appUI, i int) *jobRow {
	t.Helper()
	u.tabs.SelectIndex(1)
	p := u.transfers
	if i >= len(p.jobs) {
		t.Fatalf("no job %d", i)
	}
	// A job of a closed group shows once the user opens the group.
	if g := p.jobs[i].Group; p.members[g] != nil && !p.expanded[g] {
		p.toggleGroup(g)
	}
	row, ok := p.rowOf[p.jobs[i].ID]
	if !ok {
		t.Fatalf("job %d has no row", i)
	}
	for _, o := range test.LaidOutObjects(u.win.Canvas().Content()) {
		if r, ok := o.(*jobRow); ok && r.Visible() && r.id == row {
			return r
		}
	}
	t.Fatalf("no row on screen for job %d", i)
	return nil
}

// startDownloads downloads old.txt n times on the fake and returns its
// transfers.
func startDownloads(t *testing.T, u *appUI, f *fakeBackend, n int) *fakeTransfers {
	t.Helper()
	for range n {
		if _, err := f.Transfers().Download(u.ctx, u.browser.loc, "old.txt", t.TempDir()); err != nil {
			t.Fatal(err)
		}
	}
	u.wait()
	return f.Transfers().(*fakeTransfers)
}

// A 3 GB file read "0 B / 0 B" for the 15 s of its integrity pass before
// the first byte went: it looked stuck. Until its first byte a running
// transfer says it is preparing; a waiting one with no size yet says
// nothing rather than zeros.
func TestTransferBeforeItsFirstByteSaysPreparing(t *testing.T) {
	for _, tc := range []struct {
		name string
		job  Job
		want string
	}{
		{"running, size unknown", Job{State: JobRunning, Total: -1}, "Preparing…"},
		{"running, nothing sent", Job{State: JobRunning, Total: 3 << 30}, "Preparing…"},
		{"running, under way", Job{State: JobRunning, Done: 1 << 20, Total: 2 << 20}, "1.0 MB / 2.0 MB"},
		{"waiting, size unknown", Job{State: JobQueued}, ""},
		{"canceled half way", Job{State: JobCanceled, Done: 57, Total: 100}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := detailText(tc.job, func(error) string { return "" }); got != tc.want {
				t.Fatalf("the row reads %q, want %q", got, tc.want)
			}
		})
	}
}

// pauseLater is the fake whose Pause lands only when land is called, as
// the real queue's lands when the running piece ends.
type pauseLater struct {
	*fakeBackend
	mu    sync.Mutex
	calls []string
}

func (b *pauseLater) Transfers() Transfers { return pauseLaterTransfers{b.fakeBackend.Transfers(), b} }

type pauseLaterTransfers struct {
	Transfers
	b *pauseLater
}

func (t pauseLaterTransfers) Pause(id JobID) error {
	t.b.mu.Lock()
	defer t.b.mu.Unlock()
	t.b.calls = append(t.b.calls, "pause")
	return nil
}

func (t pauseLaterTransfers) Resume(id JobID) error {
	t.b.mu.Lock()
	t.b.calls = append(t.b.calls, "resume")
	t.b.mu.Unlock()
	return t.Transfers.Resume(id)
}

// Pause took 10-20 s to show with two transfers running, with no sign it
// was heard, so a second click (on the Resume button that then appeared
// in its place) undid it. The row now says "Pausing…" at once and ignores
// more clicks until the pause lands.
func TestPauseSaysPausingAtOnce(t *testing.T) {
	f := readyFake()
	be := &pauseLater{fakeBackend: f}
	u := startMain(t, be)
	ft := startDownloads(t, u, f, 1)
	ft.set(f.jobs[0].ID, func(j *Job) { j.State, j.Done, j.Total = JobRunning, 10, 100 })
	u.wait()
	var r *jobRow
	u.do(func() {
		r = jobRowAt(t, u, 0)
		test.Tap(r.pause)
	})
	u.wait()
	u.do(func() {
		if r.state.Text != "Pausing…" {
			t.Errorf("right after Pause the row says %q", r.state.Text)
		}
		if !r.pause.Disabled() || !r.pause.Visible() || r.resume.Visible() {
			t.Errorf("while pausing: pause shown %v, enabled %v; resume shown %v", r.pause.Visible(), !r.pause.Disabled(), r.resume.Visible())
		}
		// A second click, where Resume would show once paused.
		test.Tap(r.pause)
	})
	u.wait()
	// Progress still comes until the pause lands.
	ft.set(f.jobs[0].ID, func(j *Job) { j.Done = 20 })
	u.wait()
	u.do(func() {
		if r.state.Text != "Pausing…" {
			t.Errorf("after more progress the row says %q", r.state.Text)
		}
	})
	u.wait()
	ft.set(f.jobs[0].ID, func(j *Job) { j.State = JobPaused })
	u.wait()
	u.do(func() {
		if r.state.Text != "Paused" || !r.resume.Visible() || r.pause.Visible() {
			t.Errorf("after the pause landed: %q, resume shown %v, pause shown %v", r.state.Text, r.resume.Visible(), r.pause.Visible())
		}
	})
	u.wait()
	be.mu.Lock()
	defer be.mu.Unlock()
	if len(be.calls) != 1 || be.calls[0] != "pause" {
		t.Fatalf("the queue was asked %v, want one pause", be.calls)
	}
}

// A canceled row kept its 57 % bar while the summary said "All transfers
// are done.": the bar goes, and the summary counts what was canceled.
func TestCanceledRowIsNotDone(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	ft := startDownloads(t, u, f, 2)
	ft.set(f.jobs[0].ID, func(j *Job) { j.State, j.Done, j.Total = JobRunning, 57, 100 })
	u.wait()
	if err := ft.Cancel(f.jobs[0].ID); err != nil {
		t.Fatal(err)
	}
	u.wait()
	u.do(func() {
		r := jobRowAt(t, u, 0)
		if r.bar.Visible() {
			t.Errorf("the canceled row still shows its bar at %v", r.bar.Value)
		}
		if r.detail.Text != "" {
			t.Errorf("the canceled row reads %q", r.detail.Text)
		}
	})
	u.wait()
	ft.set(f.jobs[1].ID, func(j *Job) { j.State, j.Done, j.Total = JobDone, 10, 10 })
	u.wait()
	if got := u.transfers.summary.Text; got != "1 done, 1 canceled" {
		t.Fatalf("with one done and one canceled the summary says %q", got)
	}
	ft.set(f.jobs[1].ID, func(j *Job) { j.State = JobCanceled })
	u.wait()
	if got := u.transfers.summary.Text; got != "2 canceled" {
		t.Fatalf("with both canceled the summary says %q", got)
	}
}

// Closing the window with transfers under way said nothing (they do carry
// on at the next start). One question says so, with Quit and Keep open;
// with nothing under way the window closes at once.
func TestClosingWithTransfersAsks(t *testing.T) {
	f := readyFake()
	u := startClosable(t, f)
	closed := false
	u.win.SetOnClosed(func() { closed = true })
	ft := startDownloads(t, u, f, 2)
	ft.set(f.jobs[0].ID, func(j *Job) { j.State = JobRunning })
	u.wait()
	u.do(u.onCloseRequested)
	u.do(u.onCloseRequested) // a second close stacks no second question
	u.wait()
	u.do(func() {
		if closed {
			t.Fatal("the window closed without a word about the transfers")
		}
		const want = "2 transfers are not finished. If you quit now they stop, and carry on from where they were the next time you open ossvault."
		if !overlaySays(u, want) {
			t.Fatal("no question saying the transfers stop and carry on next time")
		}
		if n := len(u.win.Canvas().Overlays().List()); n != 1 {
			t.Fatalf("%d dialogs open", n)
		}
		test.Tap(overlayButton(t, u, "Keep open"))
	})
	u.wait()
	if closed {
		t.Fatal("Keep open closed the window")
	}
	u.do(u.onCloseRequested)
	u.do(func() { test.Tap(overlayButton(t, u, "Quit")) })
	u.wait()
	if !closed {
		t.Fatal("Quit did not close the window")
	}
}

// With no transfer under way, closing closes.
func TestClosingWithNothingUnderWay(t *testing.T) {
	u := startClosable(t, readyFake())
	closed := false
	u.win.SetOnClosed(func() { closed = true })
	u.do(u.onCloseRequested)
	u.wait()
	if !closed || u.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("closed %v, with a dialog %v", closed, u.win.Canvas().Overlays().Top() != nil)
	}
}

// startClosable is startMain on a window the test may close (a temporary
// window is closed again when the test ends, which the test driver does
// not allow).
func startClosable(t *testing.T, f Backend) *appUI {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewWindow(widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 768))
	u := newAppUI(a, w, f, t.TempDir(), Prefs{})
	t.Cleanup(u.close)
	u.start(false)
	u.wait()
	u.browser.locks.wait()
	u.wait()
	return u
}
