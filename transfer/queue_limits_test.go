package transfer

import (
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// gate holds every PutObject until the test lets one through, and counts
// how many wait at once.
type gate struct {
	release chan struct{}
	mu      sync.Mutex
	in, max int
}

func (g *gate) hook(op string, _ int) error {
	if op != "PutObject" {
		return nil
	}
	g.mu.Lock()
	g.in++
	g.max = max(g.max, g.in)
	g.mu.Unlock()
	<-g.release
	g.mu.Lock()
	g.in--
	g.mu.Unlock()
	return nil
}

func (g *gate) waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.in
}

// waitUntil polls cond for up to 20 s; only a hang fails, never a timing.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
	}
}

func countStates(q *Queue) map[State]int {
	n := map[State]int{}
	for _, e := range q.Jobs() {
		n[e.State]++
	}
	return n
}

func TestSetMaxJobsOnARunningQueue(t *testing.T) {
	s := newMemStore()
	g := &gate{release: make(chan struct{})}
	s.fail = g.hook
	up, down := newEngines(t, s)
	q := NewQueue(up, down, 1)
	dir := t.TempDir()
	for i := range 5 {
		src, _ := writeRandom(t, dir, "f"+strconv.Itoa(i), 100)
		q.Add(Spec{Upload: &UploadJob{Source: src, Bucket: "b", Key: filepath.Base(src), Wrapper: testWrapper(t)}})
	}
	// Each step: change the limit (0: leave it), let `release` uploads
	// finish, then the queue must hold exactly these counts.
	steps := []struct {
		name                  string
		limit, release        int
		running, queued, done int
		wantLimit             int
	}{
		{"starts with one", 0, 0, 1, 4, 0, 1},
		{"raised: two more start at once", 3, 0, 3, 2, 0, 3},
		{"lowered: running jobs keep going", 1, 0, 3, 2, 0, 1},
		{"lowered: an end starts nothing while over the limit", 0, 1, 2, 2, 1, 1},
		{"lowered: the next start waits for room", 0, 2, 1, 1, 3, 1},
		{"below 1 is 1", -4, 1, 1, 0, 4, 1},
		{"the last one", 0, 1, 0, 0, 5, 1},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.limit != 0 {
				q.SetMaxJobs(st.limit)
			}
			if got := q.MaxJobs(); got != st.wantLimit {
				t.Fatalf("MaxJobs = %d, want %d", got, st.wantLimit)
			}
			for range st.release {
				g.release <- struct{}{}
			}
			want := map[State]int{Running: st.running, Queued: st.queued, Done: st.done}
			waitUntil(t, "the queue settles", func() bool {
				n := countStates(q)
				return n[Done] == st.done && g.waiting() == st.running
			})
			n := countStates(q)
			for _, s := range []State{Running, Queued, Done} {
				if n[s] != want[s] {
					t.Fatalf("%v jobs: %d, want %d (all: %v)", s, n[s], want[s], n)
				}
			}
		})
	}
	q.Wait()
	if g.max != 3 {
		t.Fatalf("at most %d uploads ran at once, want 3", g.max)
	}
}
