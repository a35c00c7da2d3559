package transfer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// phaseCalls records what Download reports to a PhaseProgress.
type phaseCalls struct {
	mu    sync.Mutex
	calls []phaseCall
}

type phaseCall struct {
	ph          Phase
	done, total int64
}

func (c *phaseCalls) add(ph Phase, done, total int64) {
	c.mu.Lock()
	c.calls = append(c.calls, phaseCall{ph, done, total})
	c.mu.Unlock()
}

func (c *phaseCalls) of(ph Phase) []phaseCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []phaseCall
	for _, pc := range c.calls {
		if pc.ph == ph {
			out = append(out, pc)
		}
	}
	return out
}

// checkPhase fails unless the calls of one phase start at 0 of total, rise,
// end at total of total, and come about every 200 ms rather than per
// buffer read (took is how long the download ran).
func checkPhase(t *testing.T, name string, calls []phaseCall, total int64, took time.Duration) {
	t.Helper()
	if len(calls) < 2 {
		t.Fatalf("%s reported %v, want a start and an end", name, calls)
	}
	if first := calls[0]; first.done != 0 || first.total != total {
		t.Errorf("%s started with %d of %d, want 0 of %d", name, first.done, first.total, total)
	}
	if last := calls[len(calls)-1]; last.done != total || last.total != total {
		t.Errorf("%s ended with %d of %d, want %d of %d", name, last.done, last.total, total, total)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i].done < calls[i-1].done {
			t.Errorf("%s went back: %v", name, calls)
		}
	}
	if most := 3 + int(took/(200*time.Millisecond)); len(calls) > most {
		t.Errorf("%s reported %d times in %v, want at most %d", name, len(calls), took, most)
	}
}

// A resumed download reports the re-reading of what the earlier run saved
// (PhaseReading, up to those bytes), and every download the reading back
// of the finished file (PhaseChecking, up to its size), each once at its
// start and end; a download given no PhaseProgress runs as before.
func TestDownloadReportsReadingAndChecking(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	up.PartSize = 1 << 20
	const size = 6<<20 + 5
	src, want := writeRandom(t, t.TempDir(), "src", size)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	down.Parts = 1
	pctx, pause := context.WithCancelCause(context.Background())
	gets := 0
	s.fail = func(op string, _ int) error {
		if op == "GetObject" {
			if gets++; gets == 4 {
				pause(ErrPaused)
				return context.Canceled
			}
		}
		return nil
	}
	var first phaseCalls
	dest := filepath.Join(t.TempDir(), "out")
	job := DownloadJob{Source: s, SourceID: "oss://b/k", Key: "k", Dest: dest}
	if _, err := down.Download(WithPhaseProgress(pctx, first.add), job, nil); !errors.Is(err, ErrPaused) {
		t.Fatalf("err = %v, want paused", err)
	}
	if first.calls != nil {
		t.Errorf("a first run that did not finish reported %v", first.calls)
	}
	var rec downloadRecord
	if ok, err := down.Journal.Load(DownloadID(job.SourceID, job.Dest, nil), &rec); !ok || err != nil {
		t.Fatalf("no record after the pause: %v", err)
	}
	var saved int64
	for _, sp := range rec.Done {
		saved += sp.Len
	}
	if saved == 0 {
		t.Fatal("the pause saved nothing")
	}

	s.fail = nil
	var calls phaseCalls
	start := time.Now()
	if _, err := down.Download(WithPhaseProgress(context.Background(), calls.add), job, nil); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	checkPhase(t, "re-reading", calls.of(PhaseReading), saved, took)
	checkPhase(t, "checking", calls.of(PhaseChecking), size, took)
	if tr := calls.of(PhaseTransfer); tr != nil {
		t.Errorf("PhaseTransfer reported as a phase: %v", tr)
	}
	calls.mu.Lock()
	if c := calls.calls[0]; c.ph != PhaseReading {
		t.Errorf("the first report is %v, want the re-reading before the check", c)
	}
	calls.mu.Unlock()
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, want) {
		t.Fatal("the resumed download differs")
	}
}

// jobEvents returns the events of job id in l.
func (l *eventLog) jobEvents(id int) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Event
	for _, e := range l.events {
		if e.Job == id {
			out = append(out, e)
		}
	}
	return out
}

// The queue turns phases into events: a resumed download's job reports
// PhaseReading rising to the bytes saved before, with Done left where the
// pause left it, then fetches; the finished download reports PhaseChecking
// up to its size before Done; an upload's events, and every event that
// moves bytes, carry PhaseTransfer.
func TestQueueReportsPhases(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	up.PartSize = 1 << 20
	const size = 6<<20 + 5
	src, _ := writeRandom(t, t.TempDir(), "src", size)
	q := NewQueue(up, down, 1)
	var log eventLog
	defer q.Subscribe(log.add)()
	upID := q.Add(Spec{Upload: &UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}})
	q.Wait()
	log.waitFor(t, upID, Done)
	for _, e := range log.jobEvents(upID) {
		if e.Phase != PhaseTransfer || e.PhaseDone != 0 || e.PhaseTotal != 0 {
			t.Fatalf("an upload's event carries a phase: %+v", e)
		}
	}

	down.Parts = 1
	var mu sync.Mutex
	gets, downID := 0, upID+1
	resumed := false
	s.fail = func(op string, _ int) error {
		if op != "GetObject" {
			return nil
		}
		mu.Lock()
		gets++
		n, again := gets, resumed
		mu.Unlock()
		switch {
		case !again && n == 4:
			q.Pause(downID)
			return context.Canceled
		case again && n == 1:
			// Hold the first new byte until the re-reading's last
			// report arrived, so that no later progress replaces it.
			waitEvent(t, &log, downID, func(e Event) bool { return e.Phase == PhaseReading && e.PhaseDone == e.PhaseTotal })
		}
		return nil
	}
	dest := filepath.Join(t.TempDir(), "out")
	if id := q.Add(Spec{Download: &DownloadJob{Source: s, SourceID: "oss://b/k", Key: "k", Dest: dest}}); id != downID {
		t.Fatalf("the download is job %d, want %d", id, downID)
	}
	log.waitFor(t, downID, Paused)
	paused := log.jobEvents(downID)
	saved := paused[len(paused)-1].Done
	mu.Lock()
	gets, resumed = 0, true
	mu.Unlock()
	if err := q.Resume(downID); err != nil {
		t.Fatal(err)
	}
	q.Wait()
	log.waitFor(t, downID, Done)

	evs := log.jobEvents(downID)[len(paused):]
	var reading, checking []Event
	seen := map[Phase]int{} // index of the last event of each phase
	for i, e := range evs {
		seen[e.Phase] = i
		switch e.Phase {
		case PhaseReading:
			reading = append(reading, e)
		case PhaseChecking:
			checking = append(checking, e)
		default:
			if e.PhaseDone != 0 || e.PhaseTotal != 0 {
				t.Errorf("a PhaseTransfer event counts phase bytes: %+v", e)
			}
		}
		if e.Phase != PhaseTransfer && (!e.Progress || e.State != Running || e.Speed != 0) {
			t.Errorf("a phase event is not a progress event without speed: %+v", e)
		}
	}
	if len(reading) == 0 || len(checking) == 0 {
		t.Fatalf("after the resume: %d re-reading and %d checking events, want some of each", len(reading), len(checking))
	}
	if last := reading[len(reading)-1]; last.PhaseDone != saved || last.PhaseTotal != saved {
		t.Errorf("the re-reading ended at %d of %d, want the %d bytes saved before", last.PhaseDone, last.PhaseTotal, saved)
	}
	for _, e := range reading {
		if e.Done != saved {
			t.Errorf("while re-reading Done is %d, want %d where the pause left it", e.Done, saved)
		}
	}
	if last := checking[len(checking)-1]; last.PhaseDone != size || last.PhaseTotal != size || last.Done != size {
		t.Errorf("the check ended at %d of %d (Done %d), want all %d", last.PhaseDone, last.PhaseTotal, last.Done, size)
	}
	end := evs[len(evs)-1]
	if end.State != Done || end.Phase != PhaseTransfer {
		t.Errorf("the last event is %+v, want Done in PhaseTransfer", end)
	}
	if seen[PhaseReading] > seen[PhaseChecking] || seen[PhaseChecking] != len(evs)-2 {
		t.Errorf("phases out of order: %v in %d events", seen, len(evs))
	}
}

// waitEvent waits until l holds an event of job id that ok accepts.
func waitEvent(t *testing.T, l *eventLog, id int, ok func(Event) bool) {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		for _, e := range l.jobEvents(id) {
			if ok(e) {
				return
			}
		}
	}
	t.Error("the event never came")
}

// A pause while a resumed download re-reads what it saved stops the
// re-read, rather than waiting for gigabytes of it, and keeps the partial
// file and its record: the next run resumes from them. A cancel then
// throws them away.
func TestPauseWhileRereadingKeepsThePartial(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	up.PartSize = 1 << 20
	src, want := writeRandom(t, t.TempDir(), "src", 6<<20+5)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	down.Parts = 1
	dir := t.TempDir()
	job := DownloadJob{Source: s, SourceID: "oss://b/k", Key: "k", Dest: filepath.Join(dir, "out")}
	stopAt := func(cause error) (context.Context, *phaseCalls) {
		ctx, stop := context.WithCancelCause(context.Background())
		var calls phaseCalls
		return WithPhaseProgress(ctx, func(ph Phase, done, total int64) {
			calls.add(ph, done, total)
			if ph == PhaseReading {
				stop(cause)
			}
		}), &calls
	}
	gets := 0
	pctx, pause := context.WithCancelCause(context.Background())
	s.fail = func(op string, _ int) error {
		if op == "GetObject" {
			if gets++; gets == 4 {
				pause(ErrPaused)
				return context.Canceled
			}
		}
		return nil
	}
	if _, err := down.Download(pctx, job, nil); !errors.Is(err, ErrPaused) {
		t.Fatalf("first run: err = %v, want paused", err)
	}
	s.fail = nil
	id := DownloadID(job.SourceID, job.Dest, nil)

	ctx, calls := stopAt(ErrPaused)
	if _, err := down.Download(ctx, job, nil); !errors.Is(err, ErrPaused) {
		t.Fatalf("paused while re-reading: err = %v, want paused", err)
	}
	reading := calls.of(PhaseReading)
	if last := reading[len(reading)-1]; last.done >= last.total {
		t.Errorf("the pause waited for the whole re-read: %v", reading)
	}
	if ok, _ := down.Journal.Load(id, &downloadRecord{}); !ok {
		t.Fatal("a pause while re-reading lost the record")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("after the pause the folder holds %v, want the partial file", ents)
	}

	ctx, _ = stopAt(ErrCanceled)
	if _, err := down.Download(ctx, job, nil); !errors.Is(err, ErrCanceled) {
		t.Fatalf("canceled while re-reading: err = %v, want canceled", err)
	}
	if ok, _ := down.Journal.Load(id, &downloadRecord{}); ok {
		t.Error("a cancel while re-reading kept the record")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("after the cancel the folder holds %v", ents)
	}
	if _, err := down.Download(context.Background(), job, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(job.Dest); !bytes.Equal(got, want) {
		t.Fatal("the download differs")
	}
}
