package transfer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testLink = "https://bkt.example.com/shared/r.pdf?Expires=1900000000&OSSAccessKeyId=LTAIexample&Signature=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D"

// blockHead holds every HeadObject until release is closed.
func blockHead(s *memStore) (release func()) {
	ch := make(chan struct{})
	s.fail = func(op string, _ int) error {
		if op == "HeadObject" {
			<-ch
		}
		return nil
	}
	return func() { close(ch) }
}

// journalHolds reports whether any journal file contains s.
func journalHolds(t *testing.T, j *Journal, s string) bool {
	t.Helper()
	ents, _ := os.ReadDir(j.Dir())
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(j.Dir(), e.Name()))
		if strings.Contains(string(b), s) {
			return true
		}
	}
	return false
}

func uploadShared(t *testing.T, up *Uploader) []byte {
	t.Helper()
	src, data := writeRandom(t, t.TempDir(), "shared", 3000)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "shared", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	return data
}

func TestQueueKeepsLinkOutOfJournal(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	data := uploadShared(t, up)
	secrets := newMemSecrets()
	up.Secrets = secrets
	j := up.Journal
	q := NewQueue(up, down, 1)
	q.KeepInJournal(j)
	var log eventLog
	defer q.Subscribe(log.add)()
	release := blockHead(s)
	dest := filepath.Join(t.TempDir(), "r.pdf")
	id := q.Add(Spec{Download: &DownloadJob{Source: s, SourceID: "https://bkt.example.com/shared/r.pdf", Key: "shared", Dest: dest},
		Note: JobNote{Link: testLink}})
	q.Pause(id)
	release()
	log.waitFor(t, id, Paused)
	if err := q.JournalErr(); err != nil {
		t.Fatal(err)
	}
	if journalHolds(t, j, "Signature") || journalHolds(t, j, "c2VjcmV0") {
		t.Fatal("the journal holds the link's signature")
	}
	recs := queuedRecords(t, j)
	if len(recs) != 1 {
		t.Fatalf("records %q, want the download", recs)
	}
	var rec QueuedJob
	for _, r := range mustList(t, j) {
		j.Load(r.ID, &rec)
	}
	if ref := rec.Note.LinkRef; ref == nil || ref.Object != "https://bkt.example.com/shared/r.pdf" || !ref.Expires.Equal(time.Unix(1900000000, 0)) {
		t.Fatalf("LinkRef = %+v, want the object and the expiry", rec.Note.LinkRef)
	}
	if got, ok, _ := secrets.Get(linkSecretID(rec.ID)); !ok || string(got) != testLink {
		t.Fatalf("kept link %q, want the link", got)
	}

	// After a restart the job is built with the link again, and once it is
	// done nothing of the link is left.
	s.fail = nil
	q2 := NewQueue(up, down, 1)
	q2.KeepInJournal(j)
	var links []string
	ids, err := q2.RestoreQueued(j, func(r QueuedJob) (Spec, error) {
		links = append(links, r.Note.Link)
		return Spec{Download: &DownloadJob{Source: s, SourceID: r.SourceID, Key: "shared", Dest: r.Dest}, Note: r.Note}, nil
	})
	if err != nil || len(ids) != 1 || len(links) != 1 || links[0] != testLink {
		t.Fatalf("restored %v with links %q (%v), want the one job with its link", ids, links, err)
	}
	// It was paused: it comes back paused, and runs once resumed.
	if e := q2.Jobs()[0]; e.State != Paused {
		t.Fatalf("restored job: %v %v, want paused", e.State, e.Err)
	}
	if err := q2.Resume(ids[0]); err != nil {
		t.Fatal(err)
	}
	q2.Wait()
	if e := q2.Jobs()[0]; e.State != Done {
		t.Fatalf("restored job: %v %v", e.State, e.Err)
	}
	if b, _ := os.ReadFile(dest); string(b) != string(data) {
		t.Fatal("the restored download did not save the object")
	}
	if left := secrets.ids(); len(left) != 0 {
		t.Errorf("secrets left after the download: %q", left)
	}
	if left := queuedRecords(t, j); len(left) != 0 {
		t.Errorf("records left: %q", left)
	}
}

// A record written before links moved out of the journal still restores,
// and is rewritten without the link.
func TestQueueMigratesLinkInOldRecord(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	uploadShared(t, up)
	secrets := newMemSecrets()
	up.Secrets = secrets
	j := up.Journal
	dest := filepath.Join(t.TempDir(), "r.pdf")
	spec := Spec{Download: &DownloadJob{Source: s, SourceID: "https://bkt.example.com/shared/r.pdf", Key: "shared", Dest: dest},
		Note: JobNote{Link: testLink}}
	old, _ := queuedRecord(spec)
	old.Created, old.Job = time.Now(), nil // as written before descriptions were kept
	if err := j.Save(old.ID, &old); err != nil {
		t.Fatal(err)
	}
	if !journalHolds(t, j, `"link":"https://bkt.example.com`) {
		t.Fatal("the old record was not written as old versions wrote it")
	}

	q := NewQueue(up, down, 1)
	q.KeepInJournal(j)
	release := blockHead(s)
	ids, err := q.RestoreQueued(j, func(r QueuedJob) (Spec, error) {
		if r.Note.Link != testLink {
			t.Errorf("old record restored with link %q", r.Note.Link)
		}
		return Spec{Download: &DownloadJob{Source: s, SourceID: r.SourceID, Key: "shared", Dest: r.Dest}, Note: r.Note}, nil
	})
	if err != nil || len(ids) != 1 {
		t.Fatalf("restored %v (%v)", ids, err)
	}
	if journalHolds(t, j, "Signature") {
		t.Error("the restored record still holds the link")
	}
	if got, ok, _ := secrets.Get(linkSecretID(old.ID)); !ok || string(got) != testLink {
		t.Errorf("kept link %q after the migration", got)
	}
	release()
	q.Wait()
	if left := secrets.ids(); len(left) != 0 {
		t.Errorf("secrets left after the download: %q", left)
	}
}

// Every end of a link download removes its link; without a store the
// link is never written.
func TestQueueForgetsLinkWhenJobEnds(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, q *Queue, s *memStore, id int)
	}{
		{"canceled", func(t *testing.T, q *Queue, _ *memStore, id int) { q.Cancel(id) }},
		{"object gone", func(t *testing.T, q *Queue, s *memStore, id int) {
			s.fail = func(string, int) error { return &RemoteError{Op: "HeadObject", Status: 404, Code: "NoSuchKey"} }
			q.Resume(id)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newMemStore()
			up, down := newEngines(t, s)
			uploadShared(t, up)
			secrets := newMemSecrets()
			up.Secrets = secrets
			q := NewQueue(up, down, 1)
			q.KeepInJournal(up.Journal)
			var log eventLog
			defer q.Subscribe(log.add)()
			release := blockHead(s)
			id := q.Add(Spec{Download: &DownloadJob{Source: s, SourceID: "https://bkt.example.com/shared/r.pdf", Key: "shared", Dest: filepath.Join(t.TempDir(), "r")},
				Note: JobNote{Link: testLink}})
			q.Pause(id)
			release()
			log.waitFor(t, id, Paused)
			if len(secrets.ids()) != 1 {
				t.Fatalf("kept %q, want the link", secrets.ids())
			}
			tc.end(t, q, s, id)
			q.Wait()
			if left := secrets.ids(); len(left) != 0 {
				t.Errorf("secrets left: %q", left)
			}
			if left := queuedRecords(t, up.Journal); len(left) != 0 {
				t.Errorf("records left: %q", left)
			}
		})
	}
	t.Run("no store", func(t *testing.T) {
		s := newMemStore()
		up, down := newEngines(t, s)
		q := NewQueue(up, down, 1)
		q.KeepInJournal(up.Journal)
		var log eventLog
		defer q.Subscribe(log.add)()
		release := blockHead(s)
		id := q.Add(Spec{Download: &DownloadJob{Source: s, SourceID: "x", Key: "shared", Dest: filepath.Join(t.TempDir(), "r")}, Note: JobNote{Link: testLink}})
		q.Pause(id)
		release()
		log.waitFor(t, id, Paused)
		if journalHolds(t, up.Journal, "Signature") {
			t.Fatal("the link was written to the journal")
		}
	})
}

func mustList(t *testing.T, j *Journal) []Record {
	t.Helper()
	recs, err := j.List()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// slowSecrets is a keychain whose Put waits, as one does while it asks the
// user to unlock it.
type slowSecrets struct {
	*memSecrets
	entered, release chan struct{}
}

func (s *slowSecrets) Put(id string, secret []byte) error {
	close(s.entered)
	<-s.release
	return s.memSecrets.Put(id, secret)
}

// Adding a link download keeps its link in the keychain without holding the
// queue's lock meanwhile: while the keychain waits, the queue still answers
// and other jobs still report.
func TestQueueAddDoesNotHoldTheQueueOnTheKeychain(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	uploadShared(t, up)
	secrets := &slowSecrets{memSecrets: newMemSecrets(), entered: make(chan struct{}), release: make(chan struct{})}
	up.Secrets = secrets
	q := NewQueue(up, down, 1)
	q.KeepInJournal(up.Journal)
	added := make(chan int)
	go func() {
		added <- q.Add(Spec{Download: &DownloadJob{Source: s, SourceID: "https://bkt.example.com/shared/r.pdf", Key: "shared",
			Dest: filepath.Join(t.TempDir(), "r.pdf")}, Note: JobNote{Link: testLink}})
	}()
	<-secrets.entered
	answered := make(chan struct{})
	go func() { q.Jobs(); close(answered) }()
	select {
	case <-answered:
	case <-time.After(10 * time.Second):
		close(secrets.release)
		t.Fatal("the queue did not answer while the keychain was busy")
	}
	close(secrets.release)
	<-added
	q.Wait()
	if err := q.JournalErr(); err != nil {
		t.Fatal(err)
	}
	if secrets.puts != 1 {
		t.Fatalf("%d keychain writes for one link, want 1", secrets.puts)
	}
}
