package ui

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ossvault/ossvault/transfer"
)

// fakeTransfers and fakeSharing are fakeBackend's queue and links.

type fakeTransfers fakeBackend

func (t *fakeTransfers) Upload(_ context.Context, req UploadRequest) ([]JobID, error) {
	var jobs []Job
	t.mu.Lock()
	t.uploads = append(t.uploads, req)
	for _, p := range req.Paths {
		err := filepath.Walk(p, func(path string, fi os.FileInfo, err error) error {
			if err != nil || fi.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(filepath.Dir(p), path)
			t.nextJob++
			jobs = append(jobs, Job{ID: JobID(fmt.Sprint("j", t.nextJob)), Kind: Upload, Name: filepath.Base(path), Local: path,
				Remote: req.Dest, Key: req.Dest.Prefix + filepath.ToSlash(rel), State: JobQueued, Total: fi.Size()})
			return nil
		})
		if err != nil {
			t.mu.Unlock()
			return nil, err
		}
	}
	// As the real backend: a taken name with no answer is a question
	// first; Skip leaves it out and Keep both gives it a free name.
	objects := (*fakeBackend)(t).bucket(req.Dest.Account, req.Dest.Bucket).objects
	answer := func(key string) Existing {
		if x, ok := req.PerKey[key]; ok {
			return x
		}
		return req.Existing
	}
	e := &ExistsError{Total: len(jobs)}
	for _, j := range jobs {
		if _, ok := objects[j.Key]; ok && answer(j.Key) == AskExisting {
			e.Names = append(e.Names, j.Key)
		}
	}
	if len(e.Names) > 0 {
		t.nextJob -= len(jobs)
		t.mu.Unlock()
		return nil, e
	}
	jobs = slices.DeleteFunc(jobs, func(j Job) bool {
		_, ok := objects[j.Key]
		return ok && answer(j.Key) == SkipExisting
	})
	for i, j := range jobs {
		if _, ok := objects[j.Key]; ok && answer(j.Key) == KeepBoth {
			jobs[i].Key = fakeFreeKey(j.Key, objects, jobs)
		}
	}
	t.jobs = append(t.jobs, jobs...)
	t.mu.Unlock()
	ids := make([]JobID, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
		t.emit(j)
	}
	return ids, nil
}

// fakeFreeKey is "a (2).pdf", "a (3).pdf" … for "a.pdf", the first that
// neither an object nor another job has.
func fakeFreeKey(key string, objects map[string]fakeObject, jobs []Job) string {
	dir, name := path.Split(key)
	ext := path.Ext(name)
	for n := 2; ; n++ {
		k := fmt.Sprintf("%s%s (%d)%s", dir, strings.TrimSuffix(name, ext), n, ext)
		if _, ok := objects[k]; !ok && !slices.ContainsFunc(jobs, func(j Job) bool { return j.Key == k }) {
			return k
		}
	}
}

func (t *fakeTransfers) Download(_ context.Context, loc Location, key, dir string) (JobID, error) {
	t.mu.Lock()
	t.nextJob++
	j := Job{ID: JobID(fmt.Sprint("j", t.nextJob)), Kind: Download, Name: filepath.Base(key), Local: filepath.Join(dir, filepath.Base(key)),
		Remote: loc, Key: key, State: JobQueued, Total: 100}
	t.jobs = append(t.jobs, j)
	t.mu.Unlock()
	t.emit(j)
	return j.ID, nil
}

// DownloadFolder queues a job per file under prefix, mapped as the real
// backend maps them, without touching the disk.
func (t *fakeTransfers) DownloadFolder(_ context.Context, loc Location, prefix, dir string) (string, []JobID, error) {
	local := filepath.Join(dir, path.Base(prefix))
	t.mu.Lock()
	var jobs []Job
	b := (*fakeBackend)(t).bucket(loc.Account, loc.Bucket)
	for _, k := range b.keys {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		p, ok, err := transfer.FolderPath(local, prefix, k)
		if err != nil {
			t.mu.Unlock()
			return "", nil, err
		}
		if !ok {
			continue
		}
		t.nextJob++
		jobs = append(jobs, Job{ID: JobID(fmt.Sprint("j", t.nextJob)), Kind: Download, Name: filepath.Base(p), Local: p,
			Remote: Location{Account: loc.Account, Bucket: loc.Bucket, Prefix: path.Dir(k) + "/"}, Key: k, State: JobQueued, Total: b.objects[k].size})
	}
	t.jobs = append(t.jobs, jobs...)
	t.mu.Unlock()
	if len(jobs) == 0 {
		return "", nil, errEmptyFolder
	}
	ids := make([]JobID, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
		t.emit(j)
	}
	return local, ids, nil
}

func (t *fakeTransfers) Jobs() []Job {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Job(nil), t.jobs...)
}

func (t *fakeTransfers) Subscribe(fn func(Job)) func() { return t.subs.Add(fn) }

func (t *fakeTransfers) emit(j Job) { t.subs.Publish(j) }

// set changes a job and publishes it, as the queue would.
func (t *fakeTransfers) set(id JobID, change func(*Job)) error {
	t.mu.Lock()
	var j *Job
	for i := range t.jobs {
		if t.jobs[i].ID == id {
			j = &t.jobs[i]
		}
	}
	if j == nil {
		t.mu.Unlock()
		return os.ErrNotExist
	}
	change(j)
	// As the real backend's job() does.
	j.Retryable = j.State == JobFailed && transfer.Retryable(j.Err)
	snap := *j
	t.mu.Unlock()
	if snap.Kind == Upload && snap.State == JobDone {
		(*fakeBackend)(t).addObject(snap.Remote.Account, snap.Remote.Bucket, snap.Key, snap.Total, Lock{Kind: LockMine, KeyName: "My key", Seal: SealPresent})
	}
	t.emit(snap)
	return nil
}

func (t *fakeTransfers) Pause(id JobID) error {
	return t.set(id, func(j *Job) { j.State = JobPaused })
}
func (t *fakeTransfers) Resume(id JobID) error {
	return t.set(id, func(j *Job) { j.State = JobQueued })
}
func (t *fakeTransfers) Cancel(id JobID) error {
	return t.set(id, func(j *Job) { j.State = JobCanceled })
}
func (t *fakeTransfers) Retry(id JobID) error {
	return t.set(id, func(j *Job) { j.State = JobQueued; j.Err = nil })
}

// Remove refuses a job that has not ended, as the queue does.
func (t *fakeTransfers) Remove(id JobID) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, j := range t.jobs {
		if j.ID != id {
			continue
		}
		if !j.State.Finished() {
			return true, fmt.Errorf("failed to remove %s: %w", j.Name, transfer.ErrNotEnded)
		}
		t.jobs = append(t.jobs[:i], t.jobs[i+1:]...)
		return false, nil
	}
	return false, os.ErrNotExist
}

func (t *fakeTransfers) SetParallel(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.parallel = n
}

type fakeSharing fakeBackend

// Share reports the progress of locking a copy when it writes one
// (shareCopy), in two steps as reading and sending do.
func (s *fakeSharing) Share(_ context.Context, loc Location, key, forKey string, expires time.Duration, progress func(done, total int64)) (Shared, error) {
	if s.shareCopy != "" && progress != nil {
		progress(50, 100)
		progress(100, 100)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	link := fmt.Sprintf("https://%s.oss-cn-hangzhou.aliyuncs.com/%s?for=%s&expires=%d", loc.Bucket, key, forKey, int(expires.Seconds()))
	s.shares = append(s.shares, link)
	shared := Shared{Link: link, Key: key}
	if s.shareCopy != "" {
		shared.Key = s.shareCopy
	}
	return shared, nil
}

func (s *fakeSharing) OpenLink(_ context.Context, link, dir string) (JobID, error) {
	s.mu.Lock()
	s.opened = append(s.opened, link)
	s.mu.Unlock()
	return (*fakeTransfers)(s).Download(context.Background(), Location{}, "shared.pdf", dir)
}

func (s *fakeSharing) ExpiredCopies(context.Context) ([]SharedCopy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SharedCopy(nil), s.expired...), nil
}

func (s *fakeSharing) RemoveCopies(_ context.Context, cs []SharedCopy) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removed = append(s.removed, cs...)
	s.expired = slices.DeleteFunc(s.expired, func(c SharedCopy) bool { return slices.Contains(cs, c) })
	return nil
}
