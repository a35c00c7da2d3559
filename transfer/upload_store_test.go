package transfer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestUploadJobStore(t *testing.T) {
	shared, own := newMemStore(), newMemStore()
	up, down := newEngines(t, shared)
	dir := t.TempDir()
	for _, tc := range []struct {
		name      string
		size      int
		jobStore  Store
		want      *memStore
		untouched *memStore
	}{
		{"no store of its own: the uploader's", 100, nil, shared, own},
		{"own store, one PUT", 100, own, own, shared},
		{"own store, multipart", 3*MinPartSize + 5, own, own, shared},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "k-" + filepath.Base(t.Name())
			src, data := writeRandom(t, dir, "src", tc.size)
			before := tc.untouched.count("PutObject") + tc.untouched.count("InitiateMultipartUpload") + tc.untouched.count("UploadPart")
			q := NewQueue(up, down, 1)
			var log eventLog
			stop := q.Subscribe(log.add)
			defer stop()
			id := q.Add(Spec{Upload: &UploadJob{Source: src, Bucket: "b", Key: key, Wrapper: testWrapper(t), Store: tc.jobStore}})
			log.waitFor(t, id, Done)
			if _, ok := tc.untouched.objects[key]; ok {
				t.Fatal("the object landed in the other store")
			}
			after := tc.untouched.count("PutObject") + tc.untouched.count("InitiateMultipartUpload") + tc.untouched.count("UploadPart")
			if after != before {
				t.Fatalf("the other store saw %d writes", after-before)
			}
			dest := filepath.Join(t.TempDir(), "out")
			if _, err := down.Download(context.Background(), DownloadJob{Source: tc.want, SourceID: "oss://b/" + key, Key: key, Dest: dest}, nil); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(dest); !bytes.Equal(got, data) {
				t.Fatal("the object does not hold the file")
			}
		})
	}
}

// A paused multipart job resumes, and is forgotten, against its own store.
func TestUploadJobStoreResumeAndForget(t *testing.T) {
	shared, own := newMemStore(), newMemStore()
	up, _ := newEngines(t, shared)
	src, _ := writeRandom(t, t.TempDir(), "src", 4*MinPartSize)
	pause := func(job UploadJob) {
		t.Helper()
		ctx, cancel := context.WithCancelCause(context.Background())
		own.fail = func(op string, part int) error {
			if op == "UploadPart" && part == 3 {
				cancel(ErrPaused)
				return context.Canceled
			}
			return nil
		}
		if err := up.Upload(ctx, job, nil); err == nil {
			t.Fatal("a paused upload reported success")
		}
		own.fail = nil
		if len(own.uploads) != 1 || len(shared.uploads) != 0 {
			t.Fatalf("unfinished uploads: own %d, shared %d", len(own.uploads), len(shared.uploads))
		}
	}

	job := UploadJob{Source: src, Bucket: "b", Key: "resumed", Wrapper: testWrapper(t), Store: own}
	pause(job)
	if err := up.Upload(context.Background(), job, nil); err != nil {
		t.Fatal(err)
	}
	if n := own.count("InitiateMultipartUpload"); n != 1 {
		t.Fatalf("the resume began %d multipart uploads, want the first one only", n)
	}
	if _, ok := own.objects["resumed"]; !ok || len(shared.objects) != 0 {
		t.Fatalf("object in own store %v, shared store holds %d", ok, len(shared.objects))
	}

	job.Key = "forgotten"
	pause(job)
	if err := up.Forget(job); err != nil {
		t.Fatal(err)
	}
	if len(own.uploads) != 0 {
		t.Fatal("Forget left the job's unfinished upload on its store")
	}
	if ok, err := up.Journal.Load(UploadID(job.Source, job.Bucket, job.Key), &struct{}{}); ok || err != nil {
		t.Fatalf("journal record left: %v %v", ok, err)
	}
}
