package transfer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func queuedRecords(t *testing.T, j *Journal) []string {
	t.Helper()
	recs, err := j.List()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		if r.Kind == KindQueuedUpload || r.Kind == KindQueuedDownload {
			out = append(out, r.Kind+" "+r.Dest)
		}
	}
	return out
}

func TestQueueKeepsQueuedJobs(t *testing.T) {
	s := newMemStore()
	g := &gate{release: make(chan struct{})}
	s.fail = g.hook
	up, down := newEngines(t, s)
	secrets := newMemSecrets()
	up.Secrets = secrets
	j := up.Journal
	q := NewQueue(up, down, 1)
	q.KeepInJournal(j)
	dir := t.TempDir()
	note := JobNote{KeyName: "Mine", Account: "work"}
	add := func(name string) (int, []byte) {
		src, data := writeRandom(t, dir, name, 1000)
		return q.Add(Spec{Upload: &UploadJob{Source: src, Bucket: "b", Key: "in/" + name, Wrapper: testWrapper(t)}, Note: note}), data
	}
	_, runningData := add("running")
	waitUntil(t, "the first upload is under way", func() bool { return g.waiting() == 1 })
	queued, queuedData := add("queued")
	paused, _ := add("paused")
	q.Pause(paused)
	canceled, _ := add("canceled")
	if err := q.Cancel(canceled); err != nil {
		t.Fatal(err)
	}
	dl := q.Add(Spec{Download: &DownloadJob{Source: s, SourceID: "oss://b/shared", Key: "shared", Dest: filepath.Join(dir, "shared.out")},
		Note: JobNote{Link: "https://b.example/shared?Signature=s"}})
	if err := q.JournalErr(); err != nil {
		t.Fatal(err)
	}
	// The paused job's file is gone by the time the app opens again.
	os.Remove(filepath.Join(dir, "paused"))

	// The app closes here (the first upload still under way) and opens
	// again: a new queue on the same journal and a store that works.
	s2 := newMemStore()
	up2, down2 := newEngines(t, s2)
	up2.Journal, down2.Journal = j, j
	up2.Secrets = secrets
	sharedSrc, sharedData := writeRandom(t, t.TempDir(), "shared", 3000)
	if err := up2.Upload(context.Background(), UploadJob{Source: sharedSrc, Bucket: "b", Key: "shared", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	q2 := NewQueue(up2, down2, 2)
	q2.KeepInJournal(j)
	var got []string
	ids, err := q2.RestoreQueued(j, func(r QueuedJob) (Spec, error) {
		got = append(got, fmt.Sprintf("%s %s %s {KeyName:%s Account:%s Link:%s}", r.Kind, r.Bucket, r.Key, r.Note.KeyName, r.Note.Account, r.Note.Link))
		if r.Kind == KindQueuedDownload {
			return Spec{Download: &DownloadJob{Source: s2, SourceID: r.SourceID, Key: r.Key, Dest: r.Dest}, Note: r.Note}, nil
		}
		if _, err := os.Stat(r.Source); err != nil {
			return Spec{}, fmt.Errorf("%w: %w", ErrDropRecord, err)
		}
		if r.Note.KeyName != "Mine" {
			return Spec{}, fmt.Errorf("no key %q", r.Note.KeyName)
		}
		return Spec{Upload: &UploadJob{Source: r.Source, Bucket: r.Bucket, Key: r.Key, Wrapper: testWrapper(t)}, Note: r.Note}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"queued-upload b in/running {KeyName:Mine Account:work Link:}",
		"queued-upload b in/queued {KeyName:Mine Account:work Link:}",
		"queued-upload b in/paused {KeyName:Mine Account:work Link:}",
		"queued-download  shared {KeyName: Account: Link:https://b.example/shared?Signature=s}",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("restored, in order:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(ids) != 3 {
		t.Fatalf("%d jobs queued again, want 3 (the paused one's file is gone)", len(ids))
	}
	q2.Wait()
	for _, e := range q2.Jobs() {
		if e.State != Done {
			t.Fatalf("%s: %v %v", e.Name, e.State, e.Err)
		}
	}
	for key, data := range map[string][]byte{"in/running": runningData, "in/queued": queuedData} {
		dest := filepath.Join(t.TempDir(), "out")
		if _, err := down2.Download(context.Background(), DownloadJob{Source: s2, SourceID: "oss://b/" + key, Key: key, Dest: dest}, nil); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(dest); !bytes.Equal(b, data) {
			t.Fatalf("%s does not hold its file", key)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "shared.out")); !bytes.Equal(b, sharedData) {
		t.Fatal("the restored download did not save the object")
	}
	if left := queuedRecords(t, j); len(left) != 0 {
		t.Fatalf("records left after every job ended or was dropped: %q", left)
	}

	// The first process ends its own jobs: nothing comes back.
	q.Cancel(queued)
	q.Cancel(dl)
	close(g.release)
	q.Wait()
	if left := queuedRecords(t, j); len(left) != 0 {
		t.Fatalf("records left: %q", left)
	}
}

func TestQueueWithoutJournalKeepsNothing(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	q := NewQueue(up, down, 1)
	src, _ := writeRandom(t, t.TempDir(), "f", 10)
	g := &gate{release: make(chan struct{})}
	s.fail = g.hook
	q.Add(Spec{Upload: &UploadJob{Source: src, Bucket: "b", Key: "f", Wrapper: testWrapper(t)}, Note: JobNote{KeyName: "Mine"}})
	waitUntil(t, "the upload is under way", func() bool { return g.waiting() == 1 })
	if left := queuedRecords(t, up.Journal); len(left) != 0 {
		t.Fatalf("a queue not told to keep jobs wrote %q", left)
	}
	close(g.release)
	q.Wait()
}

// A kept job that failed for good (its object is gone, or was altered) is not
// brought back on every start; one that may work next time (the network,
// the credentials) is.
func TestQueueForgetsJobsThatFailForGood(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail error
		kept bool
	}{
		{"object gone", &RemoteError{Op: "HeadObject", Status: 404, Code: "NoSuchKey"}, false},
		{"bucket gone", &RemoteError{Op: "HeadObject", Status: 404, Code: "NoSuchBucket"}, false},
		{"object altered", nil, false},
		{"access denied", &RemoteError{Op: "HeadObject", Status: 403, Code: "InvalidAccessKeyId"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newMemStore()
			up, down := newEngines(t, s)
			src, _ := writeRandom(t, t.TempDir(), "src", 1000)
			if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
				t.Fatal(err)
			}
			if tc.fail != nil {
				s.fail = func(string, int) error { return tc.fail }
			} else {
				s.objects["k"].data[10] ^= 1
			}
			j := up.Journal
			q := NewQueue(up, down, 1)
			q.KeepInJournal(j)
			q.Add(Spec{Download: &DownloadJob{Source: s, SourceID: "oss://b/k", Key: "k", Dest: filepath.Join(t.TempDir(), "out")}})
			q.Wait()
			if e := q.Jobs()[0]; e.State != Failed {
				t.Fatalf("job ended %v (%v), want Failed", e.State, e.Err)
			}
			if left := queuedRecords(t, j); (len(left) == 1) != tc.kept {
				t.Fatalf("records after the failure: %q, want kept=%v", left, tc.kept)
			}
		})
	}
}
