package transfer

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// eventLog collects a subscriber's events.
type eventLog struct {
	mu     sync.Mutex
	events []Event
}

func (l *eventLog) add(e Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

// states returns job id's state changes in order.
func (l *eventLog) states(id int) []State {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []State
	for _, e := range l.events {
		if e.Job == id && !e.Progress {
			out = append(out, e.State)
		}
	}
	return out
}

func (l *eventLog) waitFor(t *testing.T, id int, s State) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		st := l.states(id)
		if len(st) > 0 && st[len(st)-1] == s {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("job %d never reached %v; states %v", id, s, l.states(id))
}

func TestQueueRunsJobsAndReports(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	q := NewQueue(up, down, 2)
	var log eventLog
	stop := q.Subscribe(log.add)
	defer stop()
	dir := t.TempDir()
	var ids []int
	var want [][]byte
	for i := range 4 {
		src, b := writeRandom(t, dir, "f"+string(rune('a'+i)), 3*MinPartSize+i)
		want = append(want, b)
		ids = append(ids, q.Add(Spec{Upload: &UploadJob{Source: src, Bucket: "b", Key: filepath.Base(src), Wrapper: testWrapper(t)}}))
	}
	q.Wait()
	for _, id := range ids {
		log.waitFor(t, id, Done)
		if got := log.states(id); len(got) != 3 || got[0] != Queued || got[1] != Running || got[2] != Done {
			t.Errorf("job %d went through %v, want queued, running, done", id, got)
		}
	}
	out := t.TempDir()
	did := q.Add(Spec{Download: &DownloadJob{Source: s, SourceID: "oss://b/fa", Key: "fa", Dest: filepath.Join(out, "fa")}})
	q.Wait()
	log.waitFor(t, did, Done)
	if got, _ := os.ReadFile(filepath.Join(out, "fa")); !bytes.Equal(got, want[0]) {
		t.Fatal("queued download differs")
	}
	jobs := q.Jobs()
	if len(jobs) != 5 || jobs[4].Result == nil || jobs[4].Done != jobs[4].Total {
		t.Fatalf("Jobs() = %+v", jobs[4])
	}
}

func TestQueuePauseResumeCancel(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	up.Parts = 1
	release := make(chan struct{})
	var once sync.Once
	started := make(chan struct{})
	s.fail = func(op string, part int) error {
		if op == "UploadPart" && part == 2 {
			once.Do(func() { close(started) })
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
		}
		return nil
	}
	q := NewQueue(up, down, 1)
	var log eventLog
	defer q.Subscribe(log.add)()
	src, want := writeRandom(t, t.TempDir(), "src", 4*MinPartSize)
	id := q.Add(Spec{Upload: &UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}})
	<-started
	if err := q.Pause(id); err != nil {
		t.Fatal(err)
	}
	close(release)
	log.waitFor(t, id, Paused)
	if recs, _ := up.Journal.List(); len(recs) != 1 {
		t.Fatalf("paused job has %d journal records, want 1", len(recs))
	}
	if err := q.Resume(id); err != nil {
		t.Fatal(err)
	}
	q.Wait()
	log.waitFor(t, id, Done)
	if s.count("InitiateMultipartUpload") != 1 {
		t.Fatal("resume started a new upload")
	}
	if got := s.objects["k"]; got == nil || int64(len(got.data)) != int64(len(want)) {
		t.Fatal("object missing after resume")
	}

	// Cancel a paused job: its upload is aborted and forgotten.
	s.fail = nil
	blocked := make(chan struct{})
	s.fail = func(op string, part int) error {
		if op == "UploadPart" && part == 1 {
			<-blocked
		}
		return nil
	}
	id2 := q.Add(Spec{Upload: &UploadJob{Source: src, Bucket: "b", Key: "k2", Wrapper: testWrapper(t)}})
	log.waitFor(t, id2, Running)
	q.Pause(id2)
	close(blocked)
	log.waitFor(t, id2, Paused)
	if err := q.Cancel(id2); err != nil {
		t.Fatal(err)
	}
	log.waitFor(t, id2, Canceled)
	if recs, _ := up.Journal.List(); len(recs) != 0 {
		t.Fatalf("canceled job left %d journal records", len(recs))
	}
	if len(s.uploads) != 0 {
		t.Fatalf("canceled job left %d unfinished uploads", len(s.uploads))
	}
}

func TestSubscriberCoalescesProgress(t *testing.T) {
	s := &subscriber{wake: make(chan struct{}, 1)}
	s.push(Event{Job: 1, State: Running})
	for i := range 100 {
		s.push(Event{Job: 1, State: Running, Progress: true, Done: int64(i)})
	}
	s.push(Event{Job: 2, State: Running, Progress: true, Done: 7})
	s.push(Event{Job: 1, State: Done})
	if len(s.pending) != 4 || s.pending[1].Done != 99 || s.pending[3].State != Done {
		t.Fatalf("pending = %+v", s.pending)
	}
}

// A Cancel that follows a Pause before the job has stopped still cancels:
// the upload is aborted and forgotten, not left paused.
func TestQueueCancelAfterPauseWhileRunning(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	up.Parts = 1
	started := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	s.fail = func(op string, part int) error {
		if op == "UploadPart" && part == 2 {
			once.Do(func() { close(started) })
			<-release
		}
		return nil
	}
	q := NewQueue(up, down, 1)
	var log eventLog
	defer q.Subscribe(log.add)()
	src, _ := writeRandom(t, t.TempDir(), "src", 4*MinPartSize)
	id := q.Add(Spec{Upload: &UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}})
	<-started
	if err := q.Pause(id); err != nil {
		t.Fatal(err)
	}
	if err := q.Cancel(id); err != nil {
		t.Fatal(err)
	}
	close(release)
	q.Wait()
	log.waitFor(t, id, Canceled)
	if got := log.states(id); slices.Contains(got, Paused) {
		t.Fatalf("states %v: the job was reported paused", got)
	}
	if recs, _ := up.Journal.List(); len(recs) != 0 {
		t.Fatalf("canceled job left %d journal records", len(recs))
	}
	if len(s.uploads) != 0 {
		t.Fatalf("canceled job left %d unfinished uploads", len(s.uploads))
	}
}
