package transfer

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ossvault/ossvault/envelope"
)

// memSecrets is an in-memory JobSecrets for fast unit tests; the vault's
// keychain store is tested in keptkey_keychain_test.go.
type memSecrets struct {
	mu   sync.Mutex
	m    map[string][]byte
	puts int
	// fail, when set, is the error of every call (a locked keychain);
	// failDelete that of Delete alone.
	fail, failDelete error
}

func newMemSecrets() *memSecrets { return &memSecrets{m: map[string][]byte{}} }

func (s *memSecrets) Put(id string, secret []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.puts++
	s.m[id] = bytes.Clone(secret)
	return nil
}

func (s *memSecrets) Get(id string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, false, s.fail
	}
	b, ok := s.m[id]
	return bytes.Clone(b), ok, nil
}

func (s *memSecrets) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	if s.failDelete != nil {
		return s.failDelete
	}
	delete(s.m, id)
	return nil
}

func (s *memSecrets) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.m {
		out = append(out, id)
	}
	return out
}

var (
	colleagueOnce sync.Once
	colleague     *rsa.PrivateKey
)

// colleagueKey is a key pair of which the uploader holds only the public
// half, as for a colleague; the tests open the objects with the private half
// "on the colleague's computer".
func colleagueKey(t testing.TB) *rsa.PrivateKey {
	colleagueOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		colleague = k
	})
	return colleague
}

func colleagueWrapper(t testing.TB) envelope.Wrapper {
	return envelope.NewRSAWrapper(&colleagueKey(t).PublicKey, envelope.MatDesc{"desc": "alice"})
}

// pauseAt makes the upload pause when it reaches part n.
func pauseAt(s *memStore, n int) context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	s.fail = func(op string, part int) error {
		if op == "UploadPart" && part == n {
			cancel(ErrPaused)
			return context.Canceled
		}
		return nil
	}
	return ctx
}

// openAsColleague downloads key with the colleague's private key and
// compares it with src.
func openAsColleague(t *testing.T, s Reader, key, src string) {
	t.Helper()
	down := &Downloader{Keys: keyring{envelope.NewRSAIdentity(colleagueKey(t))}, Policy: &fastPolicy}
	dest := filepath.Join(t.TempDir(), "out")
	res, err := down.Download(context.Background(), DownloadJob{Source: s, SourceID: "oss://b/" + key, Key: key, Dest: dest}, nil)
	if err != nil {
		t.Fatalf("the colleague cannot open %s: %v", key, err)
	}
	want, _ := os.ReadFile(src)
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, want) || res.Integrity != envelope.Verified {
		t.Fatalf("the colleague's copy of %s differs or did not verify (%v)", key, res.Integrity)
	}
}

// pausedColleagueUpload starts an upload for the colleague and pauses it
// at part 4 of 8, leaving parts 1-3 sent.
func pausedColleagueUpload(t *testing.T) (*memStore, *Uploader, *memSecrets, UploadJob) {
	t.Helper()
	s := newMemStore()
	up, _ := newEngines(t, s)
	up.Parts = 1
	secrets := newMemSecrets()
	up.Secrets = secrets
	src, _ := writeRandom(t, t.TempDir(), "src", 8*MinPartSize)
	job := UploadJob{Source: src, Bucket: "b", Key: "for-alice", Wrapper: colleagueWrapper(t)}
	if err := up.Upload(pauseAt(s, 4), job, nil); !errors.Is(err, ErrPaused) {
		t.Fatalf("err = %v, want paused", err)
	}
	s.fail = nil
	return s, up, secrets, job
}

// restarted is a new uploader on the same journal and secrets, as after a
// restart: nothing in memory.
func restarted(t *testing.T, s Store, up *Uploader, secrets JobSecrets) *Uploader {
	return &Uploader{Store: s, Journal: up.Journal, Keys: testKeys(t), Secrets: secrets, PartSize: MinPartSize, Parts: 2, Policy: &fastPolicy}
}

func TestColleagueUploadResumesWithKeptKey(t *testing.T) {
	s, up, secrets, job := pausedColleagueUpload(t)
	id := keptKeyID(UploadID(job.Source, job.Bucket, job.Key))
	kept, ok, _ := secrets.Get(id)
	if !ok {
		t.Fatalf("no data key kept for the paused upload; kept: %q", secrets.ids())
	}
	// The journal holds the wrapped key only, never the kept one.
	dk, err := openKeptKey(context.Background(), loadUploadRecord(t, up, job), mustParseRecordMeta(t, up, job), kept)
	if err != nil {
		t.Fatal(err)
	}
	scanJournal(t, up.Journal, dk)

	before := s.count("UploadPart")
	if err := restarted(t, s, up, secrets).Upload(context.Background(), job, nil); err != nil {
		t.Fatal(err)
	}
	if sent := s.count("UploadPart") - before; sent != 5 {
		t.Errorf("the resumed upload sent %d parts, want 5 (parts 4-8)", sent)
	}
	if n := s.count("InitiateMultipartUpload"); n != 1 {
		t.Errorf("%d uploads initiated, want 1", n)
	}
	if left := secrets.ids(); len(left) != 0 {
		t.Errorf("secrets left after the upload completed: %q", left)
	}
	assertNoLeftovers(t, t.TempDir(), up.Journal)
	openAsColleague(t, s, job.Key, job.Source)
}

func TestColleagueUploadCanceledForgetsKeptKey(t *testing.T) {
	for _, how := range []string{"Forget", "queue Cancel"} {
		t.Run(how, func(t *testing.T) {
			s, up, secrets, job := pausedColleagueUpload(t)
			if len(secrets.ids()) != 1 {
				t.Fatalf("kept %q, want one data key", secrets.ids())
			}
			if how == "Forget" {
				if err := up.Forget(job); err != nil {
					t.Fatal(err)
				}
			} else {
				// The resumed job is canceled while it sends a part.
				sending := make(chan struct{}, 1)
				release := make(chan struct{})
				s.fail = func(op string, _ int) error {
					if op == "UploadPart" {
						sending <- struct{}{}
						<-release
					}
					return nil
				}
				q := NewQueue(restarted(t, s, up, secrets), &Downloader{}, 1)
				id := q.Add(Spec{Upload: &job})
				<-sending
				if err := q.Cancel(id); err != nil {
					t.Fatal(err)
				}
				close(release)
				q.Wait()
				if e := q.Jobs()[0]; e.State != Canceled {
					t.Fatalf("job ended %v (%v), want canceled", e.State, e.Err)
				}
			}
			if left := secrets.ids(); len(left) != 0 {
				t.Errorf("secrets left after cancel: %q", left)
			}
			if recs, _ := up.Journal.List(); len(recs) != 0 {
				t.Errorf("journal left after cancel: %+v", recs)
			}
			if s.count("AbortMultipartUpload") != 1 {
				t.Errorf("the unfinished upload was not aborted")
			}
		})
	}
}

// A canceled upload whose kept data key the keychain refuses to delete says
// so: the error is not dropped.
func TestColleagueUploadCanceledSaysKeptKeyStayed(t *testing.T) {
	s, up, secrets, job := pausedColleagueUpload(t)
	refused := errors.New("the keychain refused to delete")
	secrets.failDelete = refused
	ctx, cancel := context.WithCancelCause(context.Background())
	s.fail = func(op string, _ int) error {
		if op == "UploadPart" {
			cancel(ErrCanceled)
			return context.Canceled
		}
		return nil
	}
	err := restarted(t, s, up, secrets).Upload(ctx, job, nil)
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, refused) {
		t.Fatalf("err = %v, want canceled and the keychain's refusal", err)
	}
}

// A kept key that is not exactly the one kept for this upload is refused:
// the upload starts over with a new key, and the object opens.
func TestColleagueUploadRefusesTamperedKeptKey(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(b []byte) []byte
	}{
		{"key byte flipped", func(b []byte) []byte { b[len(b)-20] ^= 1; return b }},
		{"IV byte flipped", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }},
		{"binding byte flipped", func(b []byte) []byte { b[5] ^= 1; return b }},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }},
		{"unknown version", func(b []byte) []byte { b[0] = 9; return b }},
		{"copy of another upload's key", func([]byte) []byte {
			rec := &uploadRecord{Record: Record{ID: "other"}, UploadID: "u", Meta: map[string]string{}}
			return sealKeptKey(rec, &envelope.DataKey{})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, up, secrets, job := pausedColleagueUpload(t)
			id := keptKeyID(UploadID(job.Source, job.Bucket, job.Key))
			b, _, _ := secrets.Get(id)
			secrets.Put(id, tc.tamper(b))
			before := s.count("UploadPart")
			if err := restarted(t, s, up, secrets).Upload(context.Background(), job, nil); err != nil {
				t.Fatal(err)
			}
			if sent := s.count("UploadPart") - before; sent != 8 {
				t.Errorf("sent %d parts after a tampered key, want all 8 again", sent)
			}
			if s.count("InitiateMultipartUpload") != 2 || s.count("AbortMultipartUpload") != 1 {
				t.Errorf("initiated %d, aborted %d; want the first upload aborted and a new one",
					s.count("InitiateMultipartUpload"), s.count("AbortMultipartUpload"))
			}
			if left := secrets.ids(); len(left) != 0 {
				t.Errorf("secrets left: %q", left)
			}
			openAsColleague(t, s, job.Key, job.Source)
		})
	}
}

// Uploads that Keys can reopen keep no copy.
func TestOwnKeyUploadKeepsNoKey(t *testing.T) {
	s := newMemStore()
	up, _ := newEngines(t, s)
	up.Parts = 1
	secrets := newMemSecrets()
	up.Secrets = secrets
	src, _ := writeRandom(t, t.TempDir(), "src", 4*MinPartSize)
	job := UploadJob{Source: src, Bucket: "b", Key: "mine", Wrapper: testWrapper(t)}
	if err := up.Upload(pauseAt(s, 2), job, nil); !errors.Is(err, ErrPaused) {
		t.Fatalf("err = %v, want paused", err)
	}
	s.fail = nil
	if err := up.Upload(context.Background(), job, nil); err != nil {
		t.Fatal(err)
	}
	if secrets.puts != 0 {
		t.Fatalf("an upload for our own key kept its data key %d times", secrets.puts)
	}
}

// A keychain that cannot be read on resume fails the job and keeps its
// journal and key, so it resumes once the keychain opens.
func TestColleagueUploadWaitsForLockedKeychain(t *testing.T) {
	s, up, secrets, job := pausedColleagueUpload(t)
	locked := errors.New("the keychain is locked: unlock it and try again")
	secrets.fail = locked
	up2 := restarted(t, s, up, secrets)
	if err := up2.Upload(context.Background(), job, nil); !errors.Is(err, locked) {
		t.Fatalf("err = %v, want the keychain's error", err)
	}
	if recs, _ := up.Journal.List(); len(recs) != 1 {
		t.Fatalf("journal after a locked keychain: %+v, want the upload kept", recs)
	}
	secrets.fail = nil
	before := s.count("UploadPart")
	if err := up2.Upload(context.Background(), job, nil); err != nil {
		t.Fatal(err)
	}
	if sent := s.count("UploadPart") - before; sent != 5 {
		t.Errorf("sent %d parts once the keychain opened, want 5", sent)
	}
}

func loadUploadRecord(t *testing.T, up *Uploader, job UploadJob) *uploadRecord {
	t.Helper()
	var rec uploadRecord
	if ok, err := up.Journal.Load(UploadID(job.Source, job.Bucket, job.Key), &rec); !ok || err != nil {
		t.Fatalf("no upload record: %v", err)
	}
	if !rec.KeptKey {
		t.Fatal("the record does not say a key is kept")
	}
	return &rec
}

func mustParseRecordMeta(t *testing.T, up *Uploader, job UploadJob) *envelope.Envelope {
	t.Helper()
	env, err := envelope.ParseMeta(loadUploadRecord(t, up, job).Meta)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// scanJournal fails if a journal file holds the data key or IV, raw or in
// any common encoding.
func scanJournal(t *testing.T, j *Journal, dk *envelope.DataKey) {
	t.Helper()
	ents, _ := os.ReadDir(j.Dir())
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(j.Dir(), e.Name()))
		for _, s := range encodings(dk.Key[:], dk.IV[:]) {
			if bytes.Contains(b, s) {
				t.Fatalf("journal file %s holds the data key", e.Name())
			}
		}
	}
}

func encodings(secrets ...[]byte) [][]byte {
	var out [][]byte
	for _, s := range secrets {
		out = append(out, s, []byte(hex.EncodeToString(s)), []byte(base64.StdEncoding.EncodeToString(s)), []byte(base64.RawURLEncoding.EncodeToString(s)))
	}
	return out
}

// A kept job that can never run again (its file is gone) is dropped on
// restore with its upload's progress and kept key.
func TestDroppedQueuedUploadForgetsKeptKey(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	up.Parts = 1
	secrets := newMemSecrets()
	up.Secrets = secrets
	j := up.Journal
	q := NewQueue(up, down, 1)
	q.KeepInJournal(j)
	var log eventLog
	defer q.Subscribe(log.add)()
	src, _ := writeRandom(t, t.TempDir(), "src", 4*MinPartSize)
	release := make(chan struct{})
	s.fail = func(op string, part int) error {
		if op == "UploadPart" && part == 2 {
			<-release
		}
		return nil
	}
	id := q.Add(Spec{Upload: &UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: colleagueWrapper(t)}})
	waitUntil(t, "the data key is kept", func() bool { return len(secrets.ids()) == 1 })
	q.Pause(id)
	close(release)
	log.waitFor(t, id, Paused)
	os.Remove(src)

	q2 := NewQueue(restarted(t, s, up, secrets), down, 1)
	ids, err := q2.RestoreQueued(j, func(r QueuedJob) (Spec, error) {
		return Spec{}, fmt.Errorf("%w: the file is gone", ErrDropRecord)
	})
	if err != nil || len(ids) != 0 {
		t.Fatalf("restored %v (%v), want nothing", ids, err)
	}
	// What stays is the note of the upload the drop could not abort,
	// which holds nothing secret (see orphans.go).
	if recs, _ := j.List(); len(recs) != 1 || recs[0].Kind != KindOrphanUpload || recs[0].Dest != "oss://b/k" {
		t.Errorf("journal left: %+v, want the orphan note alone", recs)
	}
	if left := secrets.ids(); len(left) != 0 {
		t.Errorf("secrets left: %q", left)
	}
}

// A damaged record whose kept data key the keychain cannot delete stays in
// the journal, so that the key is not left behind with no record naming it;
// once the keychain opens, the record is set aside and its key deleted.
func TestDamagedRecordKeepsNoOrphanKey(t *testing.T) {
	s, up, secrets, job := pausedColleagueUpload(t)
	id := UploadID(job.Source, job.Bucket, job.Key)
	editRecord(t, up.Journal, id, func(m map[string]any) []byte {
		m["part_size"] = 7
		return nil
	})
	locked := errors.New("the keychain is locked: unlock it and try again")
	secrets.fail = locked
	up2 := restarted(t, s, up, secrets)
	if err := up2.Upload(context.Background(), job, nil); !errors.Is(err, locked) {
		t.Fatalf("err = %v, want the keychain's error", err)
	}
	if _, err := os.Stat(filepath.Join(up.Journal.Dir(), id+".json")); err != nil {
		t.Fatalf("the damaged record was set aside while its key could not be deleted: %v", err)
	}
	secrets.fail = nil
	if _, ok, _ := secrets.Get(keptKeyID(id)); !ok {
		t.Fatal("the kept key is gone although the keychain was locked")
	}
	w := watch(up2.Journal)
	if err := up2.Upload(context.Background(), job, nil); err != nil {
		t.Fatal(err)
	}
	assertSetAside(t, up2.Journal, w, id)
	if ids := secrets.ids(); len(ids) != 0 {
		t.Errorf("keychain entries after the upload: %v, want none", ids)
	}
	openAsColleague(t, s, job.Key, job.Source)
}
