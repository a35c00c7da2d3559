package transfer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ossvault/ossvault/envelope"
)

// A user's pause is kept in the journal: after a restart the job comes back
// paused, and runs once resumed. A job the queue stopped because the
// program closed, or one paused and resumed again, comes back running.
func TestQueueKeepsPauseAcrossRestart(t *testing.T) {
	s := newMemStore()
	release := make(chan struct{})
	// The first upload waits here, then stops as a pause stops it.
	s.fail = func(op string, _ int) error {
		if op != "PutObject" {
			return nil
		}
		<-release
		return context.Canceled
	}
	up, down := newEngines(t, s)
	j := up.Journal
	q := NewQueue(up, down, 1)
	q.KeepInJournal(j)
	dir := t.TempDir()
	specs := map[string]Spec{}
	data := map[string][]byte{}
	ids := map[string]int{}
	add := func(name string) {
		src, b := writeRandom(t, dir, name, 1000)
		specs[name] = Spec{Upload: &UploadJob{Source: src, Bucket: "b", Key: "in/" + name, Wrapper: testWrapper(t)}, Note: JobNote{KeyName: "Mine"}}
		data[name] = b
		ids[name] = q.Add(specs[name])
	}
	kept := func(name string) QueuedJob {
		t.Helper()
		rec, _ := queuedRecord(specs[name])
		var got QueuedJob
		if ok, err := j.Load(rec.ID, &got); err != nil || !ok {
			t.Fatalf("no record for %s: %v", name, err)
		}
		return got
	}
	add("running")
	waitUntil(t, "the first upload is under way", func() bool { return q.Jobs()[0].State == Running })
	add("paused")
	add("resumed")
	add("waiting")
	for _, name := range []string{"paused", "resumed"} {
		if err := q.Pause(ids[name]); err != nil {
			t.Fatal(err)
		}
		if !kept(name).Paused {
			t.Fatalf("the record of %s does not say it was paused", name)
		}
	}
	if err := q.Resume(ids["resumed"]); err != nil {
		t.Fatal(err)
	}
	if kept("resumed").Paused {
		t.Fatal("the record of a resumed job still says it is paused")
	}
	if err := q.Pause(ids["running"]); err != nil {
		t.Fatal(err)
	}
	// The program closes: Close stops the rest without recording a pause.
	closed := make(chan struct{})
	go func() { q.Close(); close(closed) }()
	waitUntil(t, "Close stops the waiting jobs", func() bool { return countStates(q)[Paused] == 3 })
	close(release)
	<-closed
	if err := q.JournalErr(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"running": true, "paused": true, "resumed": false, "waiting": false} {
		if got := kept(name).Paused; got != want {
			t.Errorf("after closing, the record of %s says paused=%v, want %v", name, got, want)
		}
	}

	s2 := newMemStore()
	up2, down2 := newEngines(t, s2)
	up2.Journal, down2.Journal = j, j
	q2 := NewQueue(up2, down2, 2)
	q2.KeepInJournal(j)
	var log eventLog
	stop := q2.Subscribe(log.add)
	defer stop()
	byKey := map[string]int{}
	restored, err := q2.RestoreQueued(j, func(r QueuedJob) (Spec, error) {
		return Spec{Upload: &UploadJob{Source: r.Source, Bucket: r.Bucket, Key: r.Key, Wrapper: testWrapper(t)}, Note: r.Note}, nil
	})
	if err != nil || len(restored) != 4 {
		t.Fatalf("restored %v, %v", restored, err)
	}
	for _, e := range q2.Jobs() {
		byKey[strings.TrimPrefix(e.Name[strings.Index(e.Name, "oss://b/"):], "oss://b/in/")] = e.Job
	}
	q2.Wait()
	for name, want := range map[string]State{"running": Paused, "paused": Paused, "resumed": Done, "waiting": Done} {
		id := byKey[name]
		log.waitFor(t, id, want)
		if want == Paused {
			if got := log.states(id); !slices.Equal(got, []State{Paused}) {
				t.Errorf("%s went through %v after the restart, want only paused", name, got)
			}
			if _, ok := s2.objects["in/"+name]; ok {
				t.Errorf("%s was uploaded while paused", name)
			}
		}
	}
	for _, name := range []string{"running", "paused"} {
		if err := q2.Resume(byKey[name]); err != nil {
			t.Fatal(err)
		}
	}
	q2.Wait()
	for name, b := range data {
		log.waitFor(t, byKey[name], Done)
		dest := filepath.Join(t.TempDir(), "out")
		if _, err := down2.Download(context.Background(), DownloadJob{Source: s2, SourceID: "oss://b/in/" + name, Key: "in/" + name, Dest: dest}, nil); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got, _ := os.ReadFile(dest); string(got) != string(b) {
			t.Fatalf("%s does not hold its file", name)
		}
	}
	if left := queuedRecords(t, j); len(left) != 0 {
		t.Fatalf("records left after every job ended: %q", left)
	}
}

// A record written before pauses were kept has no "paused" field: it comes
// back running, as it did.
func TestQueueRestoresRecordWithoutPause(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	j := up.Journal
	src, want := writeRandom(t, t.TempDir(), "old", 1000)
	rec, _ := queuedRecord(Spec{Upload: &UploadJob{Source: src, Bucket: "b", Key: "old"}, Note: JobNote{KeyName: "Mine"}})
	old := fmt.Sprintf(`{"id":%q,"kind":"queued-upload","source":%q,"dest":"oss://b/old","created":"2025-01-02T03:04:05Z","bucket":"b","key":"old","note":{"key_name":"Mine"}}`, rec.ID, src)
	if err := os.WriteFile(filepath.Join(j.Dir(), rec.ID+".json"), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	q := NewQueue(up, down, 1)
	q.KeepInJournal(j)
	var log eventLog
	stop := q.Subscribe(log.add)
	defer stop()
	ids, err := q.RestoreQueued(j, func(r QueuedJob) (Spec, error) {
		if r.Paused {
			t.Error("an old record reads as paused")
		}
		return Spec{Upload: &UploadJob{Source: r.Source, Bucket: r.Bucket, Key: r.Key, Wrapper: testWrapper(t)}, Note: r.Note}, nil
	})
	if err != nil || len(ids) != 1 {
		t.Fatalf("restored %v, %v", ids, err)
	}
	q.Wait()
	log.waitFor(t, ids[0], Done)
	if got := log.states(ids[0]); !slices.Equal(got, []State{Queued, Running, Done}) {
		t.Fatalf("the old record's job went through %v, want queued, running, done", got)
	}
	dest := filepath.Join(t.TempDir(), "out")
	if _, err := down.Download(context.Background(), DownloadJob{Source: s, SourceID: "oss://b/old", Key: "old", Dest: dest}, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dest); string(got) != string(want) {
		t.Fatal("the restored upload does not hold its file")
	}
}

func TestQueuedJobPausedRoundTrip(t *testing.T) {
	j, err := OpenJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, paused := range []bool{true, false} {
		in := QueuedJob{Record: Record{ID: "r", Kind: KindQueuedUpload, Source: "/f", Dest: "oss://b/k"}, Bucket: "b", Key: "k", Paused: paused}
		if err := j.Save("r", &in); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join(j.Dir(), "r.json"))
		if err != nil {
			t.Fatal(err)
		}
		// Not paused is written as older versions wrote every record.
		if strings.Contains(string(raw), `"paused"`) != paused {
			t.Errorf("paused=%v written as %s", paused, raw)
		}
		var out QueuedJob
		if ok, err := j.Load("r", &out); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if out.Paused != paused || out.Key != "k" || out.ID != "r" {
			t.Errorf("paused=%v read back as %+v", paused, out)
		}
	}
}

// Remove takes ended jobs off the list; a failed one's record and partial
// download go too, so it does not come back after a restart.
func TestQueueRemove(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	j := up.Journal
	q := NewQueue(up, down, 1)
	q.KeepInJournal(j)
	// The upload fails half way with an error that may go away (the
	// network), so its record and unfinished upload are kept for a retry.
	s.fail = func(op string, part int) error {
		if op == "UploadPart" && part >= 2 {
			return errors.New("connection reset by peer")
		}
		return nil
	}
	big, _ := writeRandom(t, t.TempDir(), "big", 3*MinPartSize+1)
	failed := q.Add(Spec{Upload: &UploadJob{Source: big, Bucket: "b", Key: "failed", Wrapper: testWrapper(t)}})
	q.Wait()
	if e := q.Jobs()[0]; e.State != Failed {
		t.Fatalf("upload ended %v (%v), want failed", e.State, e.Err)
	}
	if len(s.uploads) != 1 {
		t.Fatalf("after the failure the store holds %d unfinished uploads, want 1", len(s.uploads))
	}
	if left := queuedRecords(t, j); len(left) != 1 {
		t.Fatalf("records after the failure: %q", left)
	}
	s.fail = nil
	small, _ := writeRandom(t, t.TempDir(), "small", 100)
	upload := func(key string) int {
		return q.Add(Spec{Upload: &UploadJob{Source: small, Bucket: "b", Key: key, Wrapper: testWrapper(t)}})
	}
	done := upload("done")
	q.Wait()
	g := &gate{release: make(chan struct{})}
	s.fail = g.hook
	running := upload("running")
	waitUntil(t, "the upload is under way", func() bool { return g.waiting() == 1 })
	queued, paused, canceled := upload("queued"), upload("paused"), upload("canceled")
	q.Pause(paused)
	q.Cancel(canceled)

	for _, id := range []int{running, queued, paused} {
		if err := q.Remove(id); !errors.Is(err, ErrNotEnded) {
			t.Errorf("Remove of job %d, not ended: %v, want ErrNotEnded", id, err)
		}
	}
	for _, id := range []int{done, canceled, failed} {
		if err := q.Remove(id); err != nil {
			t.Fatalf("Remove of job %d: %v", id, err)
		}
	}
	if err := q.Remove(done); err == nil {
		t.Error("removing a job twice is not an error")
	}
	var left []int
	for _, e := range q.Jobs() {
		left = append(left, e.Job)
	}
	if want := []int{running, queued, paused}; !slices.Equal(left, want) {
		t.Fatalf("jobs after removing the ended ones: %v, want %v", left, want)
	}
	if len(s.uploads) != 0 {
		t.Fatalf("the removed upload is still unfinished on the store: %d", len(s.uploads))
	}
	recs, err := j.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if strings.HasSuffix(r.Dest, "/failed") {
			t.Errorf("the removed upload left the record %+v", r)
		}
	}
	close(g.release)
	q.Cancel(queued)
	q.Cancel(paused)
	q.Wait()

	// Nothing of the failed download comes back.
	q2 := NewQueue(up, down, 1)
	ids, err := q2.RestoreQueued(j, func(r QueuedJob) (Spec, error) {
		return Spec{}, fmt.Errorf("%s came back", r.Dest)
	})
	if err != nil || len(ids) != 0 || len(queuedRecords(t, j)) != 0 {
		t.Fatalf("after a restart: %v %v %q", ids, err, queuedRecords(t, j))
	}
}

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"no error", nil, false},
		{"altered", fmt.Errorf("failed to download: %w", envelope.ErrIntegrity), false},
		{"object gone", &RemoteError{Op: "HeadObject", Status: 404, Code: "NoSuchKey"}, false},
		{"bucket gone", &RemoteError{Op: "HeadObject", Status: 404, Code: "NoSuchBucket"}, false},
		{"link expired", fmt.Errorf("open: %w", ErrLinkExpired), false},
		{"no key here", fmt.Errorf("failed to open: %w", &envelope.NoKeyError{}), false},
		{"access denied", &RemoteError{Op: "GetObject", Status: 403, Code: "AccessDenied"}, true},
		{"no network", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{"stalled", ErrStalled, true},
		{"disk full", ErrDiskFull, true},
	} {
		if got := Retryable(tc.err); got != tc.want {
			t.Errorf("%s: Retryable(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}
