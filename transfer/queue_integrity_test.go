package transfer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ossvault/ossvault/envelope"
)

// finalEvent is the last state change of job id.
func (l *eventLog) finalEvent(id int) Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var last Event
	for _, e := range l.events {
		if e.Job == id && !e.Progress {
			last = e
		}
	}
	return last
}

func TestQueueReportsIntegrity(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	src, plain := writeRandom(t, t.TempDir(), "src", 2*MinPartSize+5)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "sealed", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	sealed := s.objects["sealed"]
	copyOf := func(change func(o *memObject)) *memObject {
		o := &memObject{data: bytes.Clone(sealed.data), meta: map[string]string{}}
		for k, v := range sealed.meta {
			o.meta[k] = v
		}
		change(o)
		o.etag = etagOf(o.data)
		return o
	}
	// Another client's object: the same envelope without ossvault's seal.
	s.objects["foreign"] = copyOf(func(o *memObject) {
		for k := range o.meta {
			if strings.HasPrefix(k, "ossvault-") {
				delete(o.meta, k)
			}
		}
	})
	s.objects["altered"] = copyOf(func(o *memObject) { o.data[MinPartSize+3] ^= 1 })

	q := NewQueue(up, down, 3)
	var log eventLog
	stop := q.Subscribe(log.add)
	defer stop()
	dir := t.TempDir()
	for _, tc := range []struct {
		key   string
		state State
		want  envelope.IntegrityStatus
	}{
		{"sealed", Done, envelope.Verified},
		{"foreign", Done, envelope.Unverified},
		{"altered", Failed, envelope.Failed},
	} {
		t.Run(tc.key, func(t *testing.T) {
			dest := filepath.Join(dir, tc.key)
			id := q.Add(Spec{Download: &DownloadJob{Source: s, SourceID: "oss://b/" + tc.key, Key: tc.key, Dest: dest}})
			log.waitFor(t, id, tc.state)
			ev := log.finalEvent(id)
			if ev.Result == nil {
				t.Fatalf("final event %v carries no Result (err %v)", ev.State, ev.Err)
			}
			if ev.Result.Integrity != tc.want {
				t.Fatalf("integrity = %v, want %v", ev.Result.Integrity, tc.want)
			}
			if ev.Result.Info.ETag != s.objects[tc.key].etag {
				t.Fatalf("result ETag = %q, want the object's %q", ev.Result.Info.ETag, s.objects[tc.key].etag)
			}
			got, err := os.ReadFile(dest)
			switch tc.state {
			case Done:
				if !bytes.Equal(got, plain) {
					t.Fatalf("saved %d bytes, not the file uploaded (err %v)", len(got), err)
				}
			case Failed:
				if !errors.Is(ev.Err, envelope.ErrIntegrity) {
					t.Fatalf("err = %v, want an integrity failure", ev.Err)
				}
				if !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("an altered download was saved (stat err %v)", err)
				}
			}
		})
	}
}
