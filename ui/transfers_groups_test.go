package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// addGroup puts n uploads of one dropped folder on the fake's queue, as
// the service reports them.
func addGroup(t *testing.T, tr *fakeTransfers, group, name string, n int) []JobID {
	t.Helper()
	var jobs []Job
	tr.mu.Lock()
	for i := range n {
		tr.nextJob++
		j := Job{ID: JobID(fmt.Sprint("j", tr.nextJob)), Kind: Upload, Name: fmt.Sprintf("inv-%03d.pdf", i),
			Key: name + fmt.Sprintf("/inv-%03d.pdf", i), State: JobQueued, Total: 1000, Group: group, GroupName: name}
		tr.jobs = append(tr.jobs, j)
		jobs = append(jobs, j)
	}
	tr.mu.Unlock()
	var ids []JobID
	for _, j := range jobs {
		tr.emit(j)
		ids = append(ids, j.ID)
	}
	return ids
}

// A dropped folder of many files is one row with its totals, which opens
// to show its files; its buttons act on all of them.
func TestTransfersGroupedByFolder(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	tr := f.Transfers().(*fakeTransfers)
	ids := addGroup(t, tr, "g1", "Invoices", 50)
	u.wait()
	p := u.transfers
	if len(p.jobs) != 50 || len(p.rows) != 1 {
		t.Fatalf("%d jobs in %d rows, want one row for the folder", len(p.jobs), len(p.rows))
	}
	for _, id := range ids[:10] {
		tr.set(id, func(j *Job) { j.State, j.Done = JobDone, 1000 })
	}
	tr.set(ids[10], func(j *Job) { j.State, j.Done = JobRunning, 500 })
	u.wait()
	row := newJobRow(p)
	row.show(0)
	if !strings.Contains(row.name.Text, "Invoices (50 files)") || row.state.Text != "Uploading" {
		t.Fatalf("the folder's row: %q, %q", row.name.Text, row.state.Text)
	}
	if !strings.Contains(row.detail.Text, "10 of 50 done") || row.bar.Value < 0.2 || row.bar.Value > 0.22 {
		t.Fatalf("the folder's totals: %q, bar %v", row.detail.Text, row.bar.Value)
	}

	// Opening it shows its files under it; closing hides them.
	p.onSelected(0)
	if len(p.rows) != 51 || !p.rows[1].member {
		t.Fatalf("opened: %d rows", len(p.rows))
	}
	row.show(1)
	if !strings.HasPrefix(row.name.Text, "    inv-000.pdf") {
		t.Fatalf("a member row: %q", row.name.Text)
	}
	p.onSelected(0)
	if len(p.rows) != 1 {
		t.Fatalf("closed: %d rows", len(p.rows))
	}

	// Pause on the folder's row pauses every file under way or waiting.
	row.show(0)
	test.Tap(row.pause)
	u.wait()
	if n := states(tr); n[JobPaused] != 40 || n[JobDone] != 10 {
		t.Fatalf("after the folder's Pause: %v", n)
	}
	row.show(0)
	test.Tap(row.resume)
	u.wait()
	if n := states(tr); n[JobQueued] != 40 {
		t.Fatalf("after the folder's Resume: %v", n)
	}
	// Cancel asks first.
	row.show(0)
	test.Tap(row.cancel)
	test.Tap(overlayButton(t, u, "Cancel transfers"))
	u.wait()
	if n := states(tr); n[JobCanceled] != 40 || n[JobDone] != 10 {
		t.Fatalf("after the folder's Cancel: %v", n)
	}
}
