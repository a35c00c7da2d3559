package transfer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// State is where a job is in its life.
type State int

const (
	Queued State = iota
	Running
	Paused
	Done
	Failed
	Canceled
)

func (s State) String() string {
	switch s {
	case Queued:
		return "queued"
	case Running:
		return "running"
	case Paused:
		return "paused"
	case Done:
		return "done"
	case Failed:
		return "failed"
	case Canceled:
		return "canceled"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Spec is what a job does: exactly one of Upload and Download is set.
type Spec struct {
	Upload   *UploadJob
	Download *DownloadJob
	// Note is kept in the journal with the job when the queue keeps its
	// jobs there (KeepInJournal).
	Note JobNote
}

// Name is a short description for lists.
func (s Spec) Name() string {
	if s.Upload != nil {
		return s.Upload.Source + " → oss://" + s.Upload.Bucket + "/" + s.Upload.Key
	}
	if s.Download != nil {
		return s.Download.SourceID + " → " + s.Download.Dest
	}
	return "?"
}

// Event reports a job's state change or progress. Progress events carry
// State Running and may be coalesced: a slow subscriber sees the latest
// progress, never a stale backlog. State changes are never dropped.
type Event struct {
	Job      int
	Name     string
	State    State
	Progress bool // a progress update rather than a state change
	Done     int64
	Total    int64
	Speed    float64       // bytes per second, smoothed
	ETA      time.Duration // -1 when unknown
	Err      error         // for Failed
	// Phase is what a running job is doing; outside PhaseTransfer the
	// job reads its local file and moves no bytes, and PhaseDone of
	// PhaseTotal bytes count that reading while Done and Total stay
	// where the transfer left them. Phase events are progress events.
	Phase                 Phase
	PhaseDone, PhaseTotal int64
	// Result is set on a download's final event: Done, with the integrity
	// outcome (envelope.Verified or Unverified), or Failed because the
	// integrity check failed (envelope.Failed; nothing was saved).
	Result *Result
}

// Queue runs upload and download jobs, at most MaxJobs at once.
type Queue struct {
	up      *Uploader
	down    *Downloader
	maxJobs int // under mu: SetMaxJobs changes it on a running queue

	mu    sync.Mutex
	jobs  map[int]*job
	order []int
	// firstOpen: no job in order[:firstOpen] is Queued, so schedule starts
	// looking there. Without it every job's end scanned every job before
	// it, and 10,000 small files took thirteen times as long as 2,000.
	// Anything that queues a job other than at the end, or removes one
	// from order, sets it back to 0.
	firstOpen int
	nextID    int
	running   int
	subs      map[int]*subscriber
	nextSub   int
	idle      *sync.Cond
	kept      *Journal // see KeepInJournal
	keptErr   error
	resolver  Resolver // see SetResolver
	closed    bool     // see Close
}

type job struct {
	id     int
	spec   Spec
	desc   JobDesc // what the journal keeps of it (JobDesc)
	state  State
	cancel context.CancelCauseFunc
	last   Event
	rate   *Rate
	kept   bool      // its QueuedJob record is in the journal
	rec    QueuedJob // that record, as saved
	// userPaused: the user paused it (Pause), rather than the queue
	// stopping it as the app closes (Close); the journal records the
	// first, so that the job comes back paused.
	userPaused bool
	// canceled: Cancel was asked while it ran. A context keeps only its
	// first cause, so a Pause asked just before would otherwise win and
	// the cancel be lost.
	canceled bool
	// linkStored: Add put the job's shared link into the keychain before
	// taking the lock (prekeepLink).
	linkStored bool
}

// NewQueue returns a queue running at most maxJobs jobs at once (2 if 0).
func NewQueue(up *Uploader, down *Downloader, maxJobs int) *Queue {
	if maxJobs <= 0 {
		maxJobs = 2
	}
	q := &Queue{up: up, down: down, maxJobs: maxJobs, jobs: map[int]*job{}, subs: map[int]*subscriber{}}
	q.idle = sync.NewCond(&q.mu)
	return q
}

// Add queues a job and returns its id.
func (q *Queue) Add(spec Spec) int { return q.add(spec, nil, false) }

// add queues a job described by desc (nil: made from spec's Note), or
// with paused (a job the user paused in an earlier run, see
// RestoreQueued) adds it paused, waiting for Resume.
func (q *Queue) add(spec Spec, desc *JobDesc, paused bool) int {
	d := specDesc(spec)
	if desc != nil {
		d = *desc
	}
	stored := q.prekeepLink(spec, d)
	var pre *QueuedJob
	if !paused {
		pre = q.prekeep(spec, d, stored)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.nextID++
	j := &job{id: q.nextID, spec: spec, desc: d, state: Queued, rate: NewRate(), linkStored: stored}
	if pre != nil {
		j.kept, j.rec, j.linkStored = true, *pre, false
	}
	if paused {
		j.state, j.userPaused = Paused, true
	}
	q.jobs[j.id] = j
	q.order = append(q.order, j.id)
	q.emit(j, Event{State: j.state})
	q.schedule()
	return j.id
}

// Restore queues the unfinished transfers of journal; build turns a
// record into its job (it knows the accounts and keys), or returns an
// error to leave the record alone. The jobs a queue kept in the journal
// are RestoreQueued's, and skipped here.
func (q *Queue) Restore(j *Journal, build func(Record) (Spec, error)) ([]int, error) {
	recs, err := j.List()
	if err != nil {
		return nil, err
	}
	var ids []int
	for _, r := range recs {
		if r.Kind == KindQueuedUpload || r.Kind == KindQueuedDownload {
			continue // RestoreQueued's
		}
		spec, err := build(r)
		if err != nil {
			continue
		}
		ids = append(ids, q.Add(spec))
	}
	return ids, nil
}

// Pause stops a running or queued job, keeping what it finished.
func (q *Queue) Pause(id int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	j, ok := q.jobs[id]
	if !ok {
		return fmt.Errorf("no job %d", id)
	}
	switch j.state {
	case Running:
		j.userPaused = true
		j.cancel(ErrPaused)
	case Queued:
		j.userPaused = true
		j.state = Paused
		q.emit(j, Event{State: Paused})
	}
	return nil
}

// Close stops every queued and running job as the program ends, keeping
// what they finished, and waits for the running ones to stop. Unlike
// Pause it records no pause in the journal: RestoreQueued starts the jobs
// again on the next run. The queue starts no job after Close; one added
// or resumed later waits, in the journal, for the next run.
func (q *Queue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	for _, id := range q.order {
		switch j := q.jobs[id]; j.state {
		case Running:
			j.cancel(ErrPaused)
		case Queued:
			j.state = Paused
			q.emit(j, Event{State: Paused})
		}
	}
	for q.busy() {
		q.idle.Wait()
	}
}

// Resume queues a paused or failed job again; Retry is the same.
func (q *Queue) Resume(id int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	j, ok := q.jobs[id]
	if !ok {
		return fmt.Errorf("no job %d", id)
	}
	if j.state == Paused || j.state == Failed {
		j.state, j.userPaused = Queued, false
		q.firstOpen = 0
		q.emit(j, Event{State: Queued})
		q.schedule()
	}
	return nil
}

// Retry queues a failed job again.
func (q *Queue) Retry(id int) error { return q.Resume(id) }

// Cancel stops a job and throws away what it did: the unfinished upload is
// aborted, a partial download deleted and the journal record removed.
func (q *Queue) Cancel(id int) error {
	q.mu.Lock()
	j, ok := q.jobs[id]
	if !ok {
		q.mu.Unlock()
		return fmt.Errorf("no job %d", id)
	}
	switch j.state {
	case Running:
		j.canceled = true
		j.cancel(ErrCanceled)
		q.mu.Unlock()
		return nil
	case Queued, Paused, Failed:
		j.state = Canceled
		q.emit(j, Event{State: Canceled})
		q.idle.Broadcast()
		q.mu.Unlock()
		return q.forget(j.spec)
	}
	q.mu.Unlock()
	return nil
}

// Remove takes an ended job (done, canceled or failed) off the queue's
// list, so that Jobs no longer returns it. A failed job's journal record,
// partial download and unfinished upload are thrown away too, as Cancel
// does, so that it does not come back after a restart. Remove emits no
// event: its caller knows. A job that has not ended is ErrNotEnded.
func (q *Queue) Remove(id int) error {
	q.mu.Lock()
	j, ok := q.jobs[id]
	if !ok {
		q.mu.Unlock()
		return fmt.Errorf("no job %d", id)
	}
	if j.state != Done && j.state != Canceled && j.state != Failed {
		q.mu.Unlock()
		return fmt.Errorf("failed to remove %s: %w", j.spec.Name(), ErrNotEnded)
	}
	delete(q.jobs, id)
	q.order = slices.DeleteFunc(q.order, func(o int) bool { return o == id })
	q.firstOpen = 0
	if j.state != Failed {
		q.mu.Unlock()
		return nil
	}
	err := q.unkeep(j)
	q.mu.Unlock()
	return errors.Join(err, q.forget(j.spec))
}

func (q *Queue) forget(s Spec) error {
	if s.Upload != nil {
		return q.up.Forget(*s.Upload)
	}
	return q.down.Forget(*s.Download)
}

// Wait blocks until no job is queued or running.
func (q *Queue) Wait() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.busy() {
		q.idle.Wait()
	}
}

// busy reports whether a job is running, or queued to run: after Close a
// queued job waits for the next run. q.mu is held.
func (q *Queue) busy() bool {
	for _, j := range q.jobs {
		if j.state == Running || (j.state == Queued && !q.closed) {
			return true
		}
	}
	return false
}

// Jobs returns the latest event of every job, in the order they were added.
func (q *Queue) Jobs() []Event {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]Event, 0, len(q.order))
	for _, id := range q.order {
		out = append(out, q.jobs[id].last)
	}
	return out
}

// schedule starts queued jobs while there is room. q.mu is held.
func (q *Queue) schedule() {
	if q.closed {
		return
	}
	for i := q.firstOpen; i < len(q.order); i++ {
		j := q.jobs[q.order[i]]
		if j.state != Queued {
			if i == q.firstOpen {
				q.firstOpen++
			}
			continue
		}
		if q.running >= q.maxJobs {
			return
		}
		if i == q.firstOpen {
			q.firstOpen++
		}
		ctx, cancel := context.WithCancelCause(context.Background())
		j.state, j.cancel = Running, cancel
		j.rate = NewRate()
		q.running++
		q.emit(j, Event{State: Running, ETA: -1})
		go q.run(ctx, j)
	}
}

func (q *Queue) run(ctx context.Context, j *job) {
	progress := func(done, total int64) {
		q.mu.Lock()
		defer q.mu.Unlock()
		if j.state != Running {
			return
		}
		j.rate.Observe(time.Now(), done)
		q.emit(j, Event{State: Running, Progress: true, Done: done, Total: total, Speed: j.rate.Speed(), ETA: j.rate.ETA(done, total)})
	}
	ctx = WithPhaseProgress(ctx, func(ph Phase, done, total int64) {
		q.mu.Lock()
		defer q.mu.Unlock()
		if j.state != Running {
			return
		}
		// No speed: nothing moves over the network, and the transfer's
		// speed and time left would read as this phase's.
		q.emit(j, Event{State: Running, Progress: true, Done: j.last.Done, Total: j.last.Total, ETA: -1,
			Phase: ph, PhaseDone: done, PhaseTotal: total})
	})
	var res *Result
	var err error
	if j.spec.Upload != nil {
		err = q.up.Upload(ctx, *j.spec.Upload, progress)
	} else {
		res, err = q.down.Download(ctx, *j.spec.Download, progress)
	}
	cause := context.Cause(ctx)
	j.cancel(nil)

	q.mu.Lock()
	canceled := j.canceled
	q.mu.Unlock()
	if err != nil && canceled && !errors.Is(cause, ErrCanceled) {
		// Paused first, then canceled: the job stopped as a pause
		// does, keeping its upload and partial file; the cancel
		// throws them away.
		q.forget(j.spec)
		cause = ErrCanceled
	}

	q.mu.Lock()
	defer q.mu.Unlock()
	q.running--
	ev := Event{Done: j.last.Done, Total: j.last.Total, Result: res}
	switch {
	case err == nil:
		ev.State, ev.Done = Done, j.last.Total
	case errors.Is(cause, ErrPaused):
		ev.State = Paused
	case errors.Is(cause, ErrCanceled):
		ev.State = Canceled
	default:
		ev.State, ev.Err = Failed, err
	}
	j.state = ev.State
	q.emit(j, ev)
	q.schedule()
	q.idle.Broadcast()
}

// emit records e as j's latest event and hands it to every subscriber.
// q.mu is held; delivery happens on each subscriber's own goroutine, so a
// slow subscriber never holds up a transfer.
func (q *Queue) emit(j *job, e Event) {
	e.Job, e.Name = j.id, j.spec.Name()
	if !e.Progress && e.Total == 0 {
		e.Done, e.Total = j.last.Done, j.last.Total
	}
	j.last = e
	q.keep(j, e)
	for _, s := range q.subs {
		s.push(e)
	}
}

// Subscribe calls fn with every event from now on, in order, on a
// goroutine of its own. The returned function stops the subscription.
func (q *Queue) Subscribe(fn func(Event)) (stop func()) {
	s := &subscriber{fn: fn, wake: make(chan struct{}, 1), quit: make(chan struct{})}
	q.mu.Lock()
	q.nextSub++
	id := q.nextSub
	q.subs[id] = s
	q.mu.Unlock()
	go s.loop()
	return func() {
		q.mu.Lock()
		delete(q.subs, id)
		q.mu.Unlock()
		close(s.quit)
	}
}

type subscriber struct {
	fn      func(Event)
	mu      sync.Mutex
	pending []Event
	wake    chan struct{}
	quit    chan struct{}
}

func (s *subscriber) push(e Event) {
	s.mu.Lock()
	if e.Progress {
		// Replace a progress event of the same job still waiting.
		for i := len(s.pending) - 1; i >= 0; i-- {
			p := s.pending[i]
			if p.Job == e.Job {
				if p.Progress {
					s.pending[i] = e
					s.mu.Unlock()
					return
				}
				break
			}
		}
	}
	s.pending = append(s.pending, e)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *subscriber) loop() {
	for {
		select {
		case <-s.quit:
			return
		case <-s.wake:
		}
		s.mu.Lock()
		batch := s.pending
		s.pending = nil
		s.mu.Unlock()
		for _, e := range batch {
			s.fn(e)
		}
	}
}
