package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// startThree starts downloads of the three files of the ready fake and
// sets them running; total is each one's size.
func startThree(t *testing.T, total int64) (*appUI, *fakeTransfers, []JobID) {
	t.Helper()
	f := readyFake()
	u := startMain(t, f)
	tr := f.Transfers().(*fakeTransfers)
	var ids []JobID
	for _, name := range []string{"contract.pdf", "old.txt", "from-bob.docx"} {
		selectFile(t, u.browser, name)
		test.Tap(u.browser.getBtn)
		u.wait()
	}
	for _, j := range tr.Jobs() {
		ids = append(ids, j.ID)
		tr.set(j.ID, func(j *Job) { j.State, j.Done, j.Total = JobRunning, total/2, total })
	}
	u.wait()
	if len(ids) != 3 {
		t.Fatalf("%d jobs", len(ids))
	}
	return u, tr, ids
}

func states(tr *fakeTransfers) map[JobState]int {
	n := map[JobState]int{}
	for _, j := range tr.Jobs() {
		n[j.State]++
	}
	return n
}

// Pause all, Resume all and Cancel all act on every transfer; Cancel all
// asks first, and its buttons do not both say "Cancel".
func TestTransfersAllAtOnce(t *testing.T) {
	u, tr, _ := startThree(t, 1000)
	p := u.transfers
	if p.pauseAll.Disabled() || !p.resumeAll.Disabled() || p.cancelAll.Disabled() {
		t.Fatalf("three running: pause all disabled %v, resume all disabled %v, cancel all disabled %v",
			p.pauseAll.Disabled(), p.resumeAll.Disabled(), p.cancelAll.Disabled())
	}
	test.Tap(p.pauseAll)
	u.wait()
	if n := states(tr); n[JobPaused] != 3 {
		t.Fatalf("after Pause all: %v", n)
	}
	if !p.pauseAll.Disabled() || p.resumeAll.Disabled() {
		t.Fatal("after Pause all the buttons did not follow")
	}
	test.Tap(p.resumeAll)
	u.wait()
	if n := states(tr); n[JobQueued] != 3 {
		t.Fatalf("after Resume all: %v", n)
	}
	test.Tap(p.cancelAll)
	if n := states(tr); n[JobCanceled] != 0 {
		t.Fatal("Cancel all canceled before asking")
	}
	overlayButton(t, u, "Keep going")
	test.Tap(overlayButton(t, u, "Cancel all"))
	u.wait()
	if n := states(tr); n[JobCanceled] != 3 {
		t.Fatalf("after Cancel all: %v", n)
	}
	if !p.cancelAll.Disabled() {
		t.Fatal("Cancel all stays enabled with nothing left to cancel")
	}
}

// Canceling a large transfer under way asks first; a small one does not.
func TestCancelLargeTransferAsks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		total int64
		asks  bool
	}{
		{"small", 10 << 20, false},
		{"large", 2 << 30, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, tr, ids := startThree(t, tc.total)
			row := newJobRow(u.transfers)
			row.show(0)
			test.Tap(row.cancel)
			u.wait()
			canceled := tr.Jobs()[0].State == JobCanceled
			if tc.asks == canceled {
				t.Fatalf("canceled at once: %v", canceled)
			}
			if tc.asks {
				test.Tap(overlayButton(t, u, "Cancel transfer"))
				u.wait()
				if tr.Jobs()[0].State != JobCanceled || tr.Jobs()[0].ID != ids[0] {
					t.Fatalf("after confirming: %v", tr.Jobs()[0].State)
				}
			}
		})
	}
}
