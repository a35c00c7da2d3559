package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ossvault/ossvault/envelope"
)

// fakeResolver resolves every account to store and every key name it
// knows to a test wrapper; err, when set, is its answer to everything.
type fakeResolver struct {
	t     testing.TB
	store Store
	keys  map[string]bool
	err   error
	asked int
}

func (r *fakeResolver) Store(_ context.Context, account, bucket string) (Store, error) {
	r.asked++
	if r.err != nil {
		return nil, r.err
	}
	return r.store, nil
}

func (r *fakeResolver) Wrappers(_ context.Context, name string, also []string) ([]envelope.Wrapper, error) {
	r.asked++
	if r.err != nil {
		return nil, r.err
	}
	var ws []envelope.Wrapper
	for _, n := range append([]string{name}, also...) {
		if !r.keys[n] {
			return nil, fmt.Errorf("%w: no key %q", ErrDropRecord, n)
		}
		ws = append(ws, testWrapper(r.t))
	}
	return ws, nil
}

// closedQueue is a queue keeping its jobs in j that runs none of them:
// what it is given waits in the journal, as after the program ended.
func closedQueue(t *testing.T, j *Journal, secrets JobSecrets, r Resolver) *Queue {
	up, down := newEngines(t, newMemStore())
	up.Journal, down.Journal, up.Secrets = j, j, secrets
	q := NewQueue(up, down, 1)
	q.KeepInJournal(j)
	q.SetResolver(r)
	q.Close()
	return q
}

func TestJobDescRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []JobDesc{
		{Kind: JobUpload, Local: filepath.Join(dir, "a.jpg"), Account: "work", Bucket: "family", Key: "photos/a.jpg", KeyName: "Mine",
			AlsoFor: []string{"Anna", "Ben"}, Group: "g1", GroupName: "photos", NoOverwrite: true, PartSize: 1 << 20, Origin: OriginCLI},
		{Kind: JobUpload, Local: filepath.Join(dir, "b.txt"), Bucket: "b", Key: "b.txt", KeyName: "Mine", Origin: OriginApp},
		{Kind: JobDownload, Local: filepath.Join(dir, "docs", "sub", "r.pdf"), Account: "work", Bucket: "family", Key: "docs/sub/r.pdf",
			Root: filepath.Join(dir, "docs"), RequireVerified: true, Group: "g2", Origin: OriginApp},
		{Kind: JobDownload, Local: filepath.Join(dir, "shared.pdf"), Link: testLink, Origin: OriginCLI},
	} {
		t.Run(d.Kind+" "+filepath.Base(d.Local), func(t *testing.T) {
			b, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			var back JobDesc
			if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, d) {
				t.Fatalf("JSON round trip: %+v (%v), want %+v", back, err, d)
			}

			j, err := OpenJournal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			secrets := newMemSecrets()
			r := &fakeResolver{t: t, store: newMemStore(), keys: map[string]bool{"Mine": true, "Anna": true, "Ben": true}}
			q := closedQueue(t, j, secrets, r)
			id, err := q.AddJob(context.Background(), d)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := q.JobDesc(id); !reflect.DeepEqual(got, d) {
				t.Fatalf("queued as %+v, want %+v", got, d)
			}
			if err := q.JournalErr(); err != nil {
				t.Fatal(err)
			}
			if journalHolds(t, j, "Signature") {
				t.Fatal("the journal holds the link")
			}

			q2 := closedQueue(t, j, secrets, r)
			ids, err := q2.RestoreJobs(context.Background(), j, d.origin(), r)
			if err != nil || len(ids) != 1 {
				t.Fatalf("restored %v (%v), want one job", ids, err)
			}
			want := d
			if d.Link != "" {
				want.LinkRef = linkRef(d.Link)
			}
			if got, _ := q2.JobDesc(ids[0]); !reflect.DeepEqual(got, want) {
				t.Fatalf("restored as %+v, want %+v", got, want)
			}
		})
	}
}

// Records written before jobs were kept as descriptions (testdata, as
// the app wrote them) restore through the resolver, the app's alone.
func TestOldQueuedRecordsRestore(t *testing.T) {
	j, err := OpenJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	golden, _ := filepath.Glob("testdata/queued-before-jobdesc/*.json")
	for _, g := range golden {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(j.Dir(), filepath.Base(g)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	secrets := newMemSecrets()
	link := "https://bkt.example.com/shared/r.pdf?Expires=1772962200&OSSAccessKeyId=ak&Signature=s"
	secrets.Put(linkSecretID("f76a02bf446ad34452e6d2755460fef7"), []byte(link))
	r := &fakeResolver{t: t, store: newMemStore(), keys: map[string]bool{"Mine": true, "Anna": true}}

	cli := closedQueue(t, j, secrets, r)
	if ids, err := cli.RestoreJobs(context.Background(), j, OriginCLI, r); err != nil || len(ids) != 0 || r.asked != 0 {
		t.Fatalf("the command line restored %v (%v, %d look-ups), want the app's jobs left alone", ids, err, r.asked)
	}

	q := closedQueue(t, j, secrets, r)
	ids, err := q.RestoreJobs(context.Background(), j, OriginApp, r)
	if err != nil || len(ids) != 3 {
		t.Fatalf("restored %v (%v), want 3 jobs", ids, err)
	}
	want := map[string]JobDesc{
		"/home/user/photos/a.jpg": {Kind: JobUpload, Local: "/home/user/photos/a.jpg", Account: "work", Bucket: "family", Key: "photos/a.jpg",
			KeyName: "Mine", AlsoFor: []string{"Anna"}, Group: "g1", GroupName: "photos", NoOverwrite: true, Origin: OriginApp},
		"/home/user/Downloads/docs/r.pdf": {Kind: JobDownload, Local: "/home/user/Downloads/docs/r.pdf", Account: "work", Bucket: "family",
			Key: "docs/r.pdf", Root: "/home/user/Downloads/docs", Group: "g2", GroupName: "docs", Origin: OriginApp},
		"/home/user/Downloads/r.pdf": {Kind: JobDownload, Local: "/home/user/Downloads/r.pdf", Link: link, Origin: OriginApp,
			LinkRef: &LinkRef{Object: "https://bkt.example.com/shared/r.pdf", Expires: time.Date(2026, 3, 8, 9, 30, 0, 0, time.UTC)}},
	}
	states := map[string]State{}
	for _, e := range q.Jobs() {
		d, _ := q.JobDesc(e.Job)
		if w := want[d.Local]; !reflect.DeepEqual(d, w) {
			t.Errorf("restored\n%+v\nwant\n%+v", d, w)
		}
		states[d.Local] = e.State
	}
	if states["/home/user/photos/a.jpg"] != Paused {
		t.Errorf("the paused upload came back %v", states["/home/user/photos/a.jpg"])
	}
}

// A name the resolver says is gone for good drops the record; one it
// cannot reach now (a locked keychain) leaves it for a later run.
func TestRestoreJobsResolverErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys map[string]bool
		err  error
		kept bool
	}{
		{"key gone", map[string]bool{}, nil, false},
		{"account gone", map[string]bool{"Mine": true}, fmt.Errorf("%w: no account %q", ErrDropRecord, "work"), false},
		{"keychain locked", map[string]bool{"Mine": true}, errors.New("the keychain is locked"), true},
		{"resolves", map[string]bool{"Mine": true}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, err := OpenJournal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			d := JobDesc{Kind: JobUpload, Local: filepath.Join(t.TempDir(), "f"), Account: "work", Bucket: "b", Key: "f", KeyName: "Mine", Origin: OriginApp}
			ok := &fakeResolver{t: t, store: newMemStore(), keys: map[string]bool{"Mine": true}}
			if _, err := closedQueue(t, j, nil, ok).AddJob(context.Background(), d); err != nil {
				t.Fatal(err)
			}
			r := &fakeResolver{t: t, store: newMemStore(), keys: tc.keys, err: tc.err}
			ids, err := closedQueue(t, j, nil, ok).RestoreJobs(context.Background(), j, OriginApp, r)
			if err != nil || (len(ids) == 1) != (tc.err == nil && tc.kept) {
				t.Fatalf("restored %v (%v)", ids, err)
			}
			if left := queuedRecords(t, j); (len(left) == 1) != tc.kept {
				t.Fatalf("records left: %q, want kept=%v", left, tc.kept)
			}
		})
	}
}
