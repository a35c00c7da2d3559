package ui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

// queueDownloads queues a download per name on the fake and waits for the
// panel to list them.
func queueDownloads(t *testing.T, u *appUI, tr *fakeTransfers, names ...string) []JobID {
	t.Helper()
	var ids []JobID
	for _, name := range names {
		id, err := tr.Download(context.Background(), Location{Account: "This computer", Bucket: "demo"}, name, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	u.wait()
	return ids
}

func panelNames(p *transfersPanel) []string {
	var out []string
	for _, j := range p.jobs {
		out = append(out, j.Name)
	}
	return out
}

func fakeNames(tr *fakeTransfers) []string {
	var out []string
	for _, j := range tr.Jobs() {
		out = append(out, j.Name)
	}
	return out
}

func TestTransfersClearFinished(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	p := u.transfers
	tr := f.Transfers().(*fakeTransfers)
	ids := queueDownloads(t, u, tr, "done.pdf", "canceled.pdf", "failed.pdf", "running.pdf", "paused.pdf")
	if !p.clear.Disabled() {
		t.Fatal("Clear finished is on with nothing finished")
	}
	for i, st := range []JobState{JobDone, JobCanceled, JobFailed, JobRunning, JobPaused} {
		tr.set(ids[i], func(j *Job) {
			j.State = st
			if st == JobFailed {
				j.Err = &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
			}
		})
	}
	u.wait()
	if p.clear.Disabled() {
		t.Fatal("Clear finished is off with a finished and a canceled transfer on the list")
	}
	test.Tap(p.clear)
	u.wait()
	// A failed transfer stays: it still has something to say.
	want := []string{"failed.pdf", "running.pdf", "paused.pdf"}
	if got := panelNames(p); !slices.Equal(got, want) {
		t.Fatalf("panel after Clear finished: %q, want %q", got, want)
	}
	if got := fakeNames(tr); !slices.Equal(got, want) {
		t.Fatalf("queue after Clear finished: %q, want %q", got, want)
	}
	if !p.clear.Disabled() {
		t.Fatal("Clear finished is still on with nothing left to clear")
	}
	// An event of a removed transfer still on its way does not bring it back.
	tr.emit(Job{ID: ids[0], Kind: Download, Name: "done.pdf", State: JobDone})
	u.wait()
	if got := panelNames(p); !slices.Equal(got, want) {
		t.Fatalf("panel after a late event: %q, want %q", got, want)
	}
	// The rows drawn after the list shrank are the jobs left.
	row := newJobRow(p)
	row.show(1)
	if row.name.Text != "running.pdf" {
		t.Fatalf("row 1 shows %q", row.name.Text)
	}
}

// A failed row offers Retry only where retrying can help, and its cancel
// button takes it off the list, for good.
func TestTransfersFailedRows(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	p := u.transfers
	tr := f.Transfers().(*fakeTransfers)
	cases := []struct {
		name  string
		err   error
		retry bool
	}{
		{"offline.pdf", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{"denied.pdf", fmt.Errorf("download: %w", transfer.ErrAccessDenied), true},
		{"notmine.pdf", fmt.Errorf("download: %w", &envelope.NoKeyError{MatDesc: `{"owner":"Alice"}`}), false},
		{"altered.pdf", errIntegrityForTest(), false},
		{"expired.pdf", fmt.Errorf("open: %w", transfer.ErrLinkExpired), false},
		{"gone.pdf", &transfer.RemoteError{Op: "HeadObject", Status: 404, Code: "NoSuchKey"}, false},
	}
	var names []string
	for _, tc := range cases {
		names = append(names, tc.name)
	}
	ids := queueDownloads(t, u, tr, append(names, "canceled.pdf")...)
	for i, tc := range cases {
		tr.set(ids[i], func(j *Job) { j.State, j.Err = JobFailed, tc.err })
	}
	tr.set(ids[len(cases)], func(j *Job) { j.State = JobCanceled })
	u.wait()
	if got := u.transfers.summary.Text; got != "6 transfers failed: see Transfers" {
		t.Fatalf("summary %q", got)
	}
	row := newJobRow(p)
	for i, tc := range cases {
		row.show(i)
		if row.retry.Hidden == tc.retry {
			t.Errorf("%s: Retry shown %v, want %v", tc.name, !row.retry.Hidden, tc.retry)
		}
		if row.cancel.Hidden {
			t.Errorf("%s: no button to remove the failed transfer", tc.name)
		}
	}
	row.show(len(cases))
	if !row.retry.Hidden || !row.cancel.Hidden {
		t.Fatalf("a canceled row shows Retry %v, cancel %v; the queue cannot run it again", !row.retry.Hidden, !row.cancel.Hidden)
	}

	row.show(0)
	test.Tap(row.retry)
	u.wait()
	if j := tr.Jobs()[0]; j.State != JobQueued {
		t.Fatalf("Retry left %s %v", j.Name, j.State)
	}
	// The cancel button of a failed row takes it off the list.
	row.show(2)
	test.Tap(row.cancel)
	u.wait()
	want := []string{"offline.pdf", "denied.pdf", "altered.pdf", "expired.pdf", "gone.pdf", "canceled.pdf"}
	if got := panelNames(p); !slices.Equal(got, want) {
		t.Fatalf("panel after removing notmine.pdf: %q, want %q", got, want)
	}
	if got := fakeNames(tr); !slices.Equal(got, want) {
		t.Fatalf("queue after removing notmine.pdf: %q, want %q", got, want)
	}
	// The retried one waits: the line speaks of what is under way first.
	if got := u.transfers.summary.Text; got != "1 waiting · 0%" {
		t.Fatalf("summary after the removal: %q", got)
	}
	for range 4 {
		row.show(1)
		test.Tap(row.cancel)
		u.wait()
	}
	if got := panelNames(p); !slices.Equal(got, []string{"offline.pdf", "canceled.pdf"}) {
		t.Fatalf("panel after removing every failed row: %q", got)
	}
}
