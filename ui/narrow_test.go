package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// visibleRow returns the file row on screen showing name.
func visibleRow(t *testing.T, u *appUI, name string) *fileRow {
	t.Helper()
	for _, o := range test.LaidOutObjects(u.win.Content()) {
		if r, ok := o.(*fileRow); ok && r.Visible() && r.name.Text == name {
			return r
		}
	}
	t.Fatalf("no row %q on screen; rows %v", name, rowNames(u.browser))
	return nil
}

// At 800x600 the fixed columns took the whole width and every file name
// read "…". A narrow window must drop the modified time (then the size)
// instead, and keep names, who a file is locked for, and its tamper check;
// and the toolbar must wrap rather than hold the window wider than 800.
func TestNarrowWindowKeepsFileNamesReadable(t *testing.T) {
	u := startMain(t, readyFake())
	for _, tc := range []struct {
		w, h           float32
		modified, size bool
	}{
		{1024, 768, true, true},
		{900, 700, false, true},
		{800, 600, false, false},
		{1024, 768, true, true},
	} {
		u.win.Resize(fyne.NewSize(tc.w, tc.h))
		// A real window cannot be made narrower than its content's minimum.
		if m := u.win.Content().MinSize().Width; m > tc.w {
			t.Errorf("the main screen needs %v, more than a %v wide window", m, tc.w)
		}
		r := visibleRow(t, u, "contract.pdf")
		if got := r.name.Size().Width; got < 150 {
			t.Errorf("at %vx%v the name column is %v wide", tc.w, tc.h, got)
		}
		if r.modified.Visible() != tc.modified || r.size.Visible() != tc.size {
			t.Errorf("at %vx%v modified shown %v, size shown %v; want %v, %v",
				tc.w, tc.h, r.modified.Visible(), r.size.Visible(), tc.modified, tc.size)
		}
		if !r.lock.Visible() || !r.seal.Visible() || r.lock.Size().Width == 0 {
			t.Errorf("at %vx%v the locked-with or tamper-check column is hidden", tc.w, tc.h)
		}
		// The header hides the same columns, so titles stay over their values.
		head := u.browser.header.Objects
		for i, o := range head {
			cell := r.content.Objects[i]
			if o.Visible() != cell.Visible() || (o.Visible() && o.Position().X != cell.Position().X) {
				t.Errorf("at %vx%v header column %d (shown %v at %v) and row column (shown %v at %v) disagree",
					tc.w, tc.h, i, o.Visible(), o.Position().X, cell.Visible(), cell.Position().X)
			}
		}
	}
}

// The status line names the folder a download went to; at half the bar an
// 800-pixel window cut the folder off. It gets all the bar the transfer
// summary does not need.
func TestStatusLineGetsTheRoomTheSummaryLeaves(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	u.win.Resize(fyne.NewSize(800, 600))
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.getBtn)
	u.wait()
	f.Transfers().(*fakeTransfers).set(f.jobs[0].ID, func(j *Job) { j.State, j.Done = JobDone, j.Total })
	u.wait()
	if u.transfers.summary.Text != "All transfers are done." {
		t.Fatalf("summary %q", u.transfers.summary.Text)
	}
	status, summary := u.status.Size().Width, u.transfers.summary.Size().Width
	if status < 550 || summary < u.transfers.summary.MinSize().Width {
		t.Fatalf("at 800 wide the status line has %v and the summary %v (needs %v)", status, summary, u.transfers.summary.MinSize().Width)
	}
}
