package ui

import (
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// longJob is how long a transfer must have run for its end to deserve a
// desktop notification: nobody wants one for a file that took a second.
const longJob = 20 * time.Second

// transfersPanel lists every upload and download with its progress.
type transfersPanel struct {
	u       *appUI
	content fyne.CanvasObject
	list    *widget.List
	empty   *widget.Label
	summary *widget.Label
	// clear takes finished and canceled transfers off the list.
	clear *widget.Button
	// pauseAll, resumeAll and cancelAll act on every transfer at once.
	pauseAll, resumeAll, cancelAll *widget.Button

	jobs  []Job
	index map[JobID]int
	// rows is the list as shown (transfers_groups.go): groups, their open
	// members and jobs on their own; rowOf a shown job's row, members the
	// jobs of each group of two or more, expanded the open groups.
	rows     []rowRef
	rowOf    map[JobID]int
	members  map[string][]int
	expanded map[string]bool
	stop     func()
	// removed are the jobs taken off the list: an event of theirs still
	// on its way must not bring them back.
	removed map[JobID]bool
	// pausing are the jobs whose Pause was pressed and whose pause has not
	// landed yet: a running transfer stops at its next piece, which can
	// take seconds, and meanwhile the row says so and ignores more clicks.
	pausing map[JobID]bool
	// settling are the jobs whose Pause was pressed less than doubleClick
	// ago: see settle.
	settling map[JobID]bool

	// batches are the transfers the status line is talking about, each
	// with what to say once all of its jobs are over.
	batches []jobBatch

	// The queue's events come on its own goroutine and may be on their way
	// when the panel closes: once closed, none gets in, and closing the app
	// waits for those already in, so none touches the window afterwards.
	eventsMu     sync.Mutex
	eventsClosed bool
	events       sync.WaitGroup

	// pending holds, under eventsMu, the newest event of each job not yet
	// applied, in the order the jobs first appeared; flushQueued says a
	// flush is on its way. Events are applied together at most every
	// flushEvery: one call onto the UI goroutine per event fell minutes
	// behind with thousands of small files, each asking for its own turn
	// and its own redraw of the list and the status line.
	pending     map[JobID]Job
	order       []JobID
	flushQueued bool
}

// flushEvery is how often the panel takes in what the queue reported.
const flushEvery = 100 * time.Millisecond

func newTransfersPanel(u *appUI) *transfersPanel {
	p := &transfersPanel{u: u, index: map[JobID]int{}, removed: map[JobID]bool{}, pausing: map[JobID]bool{},
		settling: map[JobID]bool{},
		rowOf:    map[JobID]int{}, expanded: map[string]bool{}}
	p.list = widget.NewList(func() int { return len(p.rows) }, func() fyne.CanvasObject { return newJobRow(p) },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*jobRow).show(id) })
	p.list.OnSelected = p.onSelected
	p.empty = widget.NewLabel(lang.L("Nothing is being uploaded or downloaded. Drop files on the window to upload them."))
	p.empty.Wrapping = textWrap()
	p.summary = widget.NewLabel("")
	p.clear = widget.NewButtonWithIcon(lang.L("Clear finished"), theme.ContentClearIcon(), p.onClearFinished)
	p.clear.Disable()
	top := container.NewBorder(nil, nil, nil, p.newAllButtons(), p.empty)
	// The rows that say what went wrong wrap at the list's width: a new
	// width draws them again.
	p.content = container.NewBorder(top, nil, nil, nil, container.New(&onWidth{changed: p.list.Refresh}, p.list))
	p.stop = u.be.Transfers().Subscribe(p.event)
	return p
}

// event takes one report of the queue, on the queue's goroutine, and makes
// sure a flush will apply it.
func (p *transfersPanel) event(j Job) {
	p.eventsMu.Lock()
	defer p.eventsMu.Unlock()
	if p.eventsClosed {
		return
	}
	if p.pending == nil {
		p.pending = map[JobID]Job{}
	}
	if _, ok := p.pending[j.ID]; !ok {
		p.order = append(p.order, j.ID)
	}
	p.pending[j.ID] = j
	if p.flushQueued {
		return
	}
	p.flushQueued = true
	// Counted twice: closing the app waits for it (events), and so do the
	// tests that look at the list once the app is idle (tasks).
	p.events.Add(1)
	p.u.tasks.Add(1)
	time.AfterFunc(flushEvery, func() {
		defer p.u.tasks.Done()
		defer p.events.Done()
		p.u.do(p.flush)
	})
}

// flush applies the events gathered since the last one, then redraws the
// list and the status line once.
func (p *transfersPanel) flush() {
	p.eventsMu.Lock()
	closed := p.eventsClosed
	pending, order := p.pending, p.order
	p.pending, p.order, p.flushQueued = nil, nil, false
	p.eventsMu.Unlock()
	if closed || len(order) == 0 {
		return
	}
	added := false
	var changed []int
	for _, id := range order {
		i, isNew := p.apply(pending[id])
		switch {
		case i < 0:
		case isNew:
			added = true
		default:
			changed = append(changed, i)
		}
	}
	// Redrawing a few rows is cheaper than the list; past a screenful,
	// or when a group's totals move, the list is.
	grouped := false
	for _, i := range changed {
		grouped = grouped || p.members[p.jobs[i].Group] != nil
	}
	if added {
		p.rebuildRows()
	}
	if added || grouped || len(changed) > 40 {
		p.list.Refresh()
	} else {
		for _, i := range changed {
			if row, ok := p.rowOf[p.jobs[i].ID]; ok {
				p.list.RefreshItem(row)
			}
		}
	}
	if added {
		// The newest transfer is the one the user just started: bring it
		// into view rather than leave it below older ones.
		p.list.ScrollToBottom()
	}
	p.updateSummary()
}

// reload takes the queue's list of jobs, those from earlier runs included.
func (p *transfersPanel) reload() {
	p.jobs = p.u.be.Transfers().Jobs()
	p.reindex()
	p.list.Refresh()
	p.updateSummary()
}

func (p *transfersPanel) reindex() {
	p.index = make(map[JobID]int, len(p.jobs))
	for i, j := range p.jobs {
		p.index[j.ID] = i
	}
	p.rebuildRows()
}

// onClearFinished takes the transfers that are done or canceled off the
// list; failed ones stay until the user retries or removes them, since
// they still have something to say.
func (p *transfersPanel) onClearFinished() {
	var ids []JobID
	for _, j := range p.jobs {
		if j.State == JobDone || j.State == JobCanceled {
			ids = append(ids, j.ID)
		}
	}
	p.remove(ids...)
}

// remove takes ended jobs off the queue and the list. One the queue could
// not take off stays; the first error is shown.
func (p *transfersPanel) remove(ids ...JobID) {
	var first error
	gone := map[JobID]bool{}
	for _, id := range ids {
		notEnded, err := p.u.be.Transfers().Remove(id)
		if !notEnded {
			gone[id] = true
			p.removed[id] = true
		}
		if err != nil && first == nil {
			first = err
		}
	}
	if len(gone) > 0 {
		p.jobs = slices.DeleteFunc(p.jobs, func(j Job) bool { return gone[j.ID] })
		p.reindex()
		for i := range p.batches {
			p.batches[i].ids = slices.DeleteFunc(p.batches[i].ids, func(id JobID) bool { return gone[id] })
		}
		p.batches = slices.DeleteFunc(p.batches, func(b jobBatch) bool { return len(b.ids) == 0 })
		p.list.UnselectAll()
		p.list.Refresh()
		p.updateSummary()
	}
	if first != nil {
		p.u.showError(first)
	}
}

// close stops taking events. It does not wait for those already in: on
// a language change it runs on the UI goroutine, where they are waiting to
// run next; see waitEvents.
func (p *transfersPanel) close() {
	p.eventsMu.Lock()
	p.eventsClosed = true
	p.eventsMu.Unlock()
	if p.stop != nil {
		p.stop()
		p.stop = nil
	}
}

// waitEvents blocks until the events that came in before close are
// applied; call it off the UI goroutine (the app's close, after its loop
// ended).
func (p *transfersPanel) waitEvents() { p.events.Wait() }

// apply takes one event into the list without redrawing, and returns the
// job's row (-1 for a job taken off the list) and whether it is new.
func (p *transfersPanel) apply(j Job) (row int, isNew bool) {
	if p.removed[j.ID] {
		return -1, false
	}
	if j.State != JobRunning && j.State != JobQueued {
		delete(p.pausing, j.ID)
	}
	i, ok := p.index[j.ID]
	if !ok {
		p.index[j.ID] = len(p.jobs)
		p.jobs = append(p.jobs, j)
		// A small file is queued, sent and done between two flushes: its
		// first event seen is its last.
		if j.State.Finished() {
			p.finished(j)
		}
		return len(p.jobs) - 1, true
	}
	was := p.jobs[i].State
	p.jobs[i] = j
	if !was.Finished() && j.State.Finished() {
		p.finished(j)
	}
	return i, false
}

// onSelected shows why a failed transfer failed: in its row the sentence
// is cut to the width left beside the progress bar.
func (p *transfersPanel) onSelected(id widget.ListItemID) {
	p.list.Unselect(id)
	if id < 0 || id >= len(p.rows) {
		return
	}
	ref := p.rows[id]
	if ref.job < 0 {
		p.toggleGroup(ref.group)
		return
	}
	if j := p.jobs[ref.job]; j.State == JobFailed && j.Err != nil {
		p.u.showNotice(p.u.newInfo(lang.L("That did not work"), p.failureText(j)))
	}
}

// failureText is a failed transfer in a sentence: the file, then why.
func (p *transfersPanel) failureText(j Job) string {
	return j.Name + ": " + p.u.explain(j.Err)
}

// finished tells the rest of the app, and the desktop if it took long.
func (p *transfersPanel) finished(j Job) {
	p.u.browser.jobFinished(j)
	if j.State == JobCanceled || j.Started.IsZero() || time.Since(j.Started) < longJob {
		return
	}
	n := fyne.NewNotification(lang.L("Transfer finished"), lang.L("{{.Name}} is done.", map[string]any{"Name": j.Name}))
	if j.State == JobFailed {
		n = fyne.NewNotification(lang.L("Transfer failed"), p.failureText(j))
	}
	p.u.app.SendNotification(n)
}

// doubleClick is how long after Pause a row goes on saying "Pausing…",
// with Pause disabled and Resume hidden, even once the pause has landed.
// A pause lands in a few hundredths of a second, and Resume then appeared
// under the pointer where Pause was: the second click of a double click
// on Pause went on with the transfer the first had paused.
const doubleClick = 400 * time.Millisecond

// settle keeps ids' rows saying "Pausing…" for doubleClick.
func (p *transfersPanel) settle(ids []JobID) {
	for _, id := range ids {
		p.settling[id] = true
	}
	// Counted as the flushes are: closing waits for it, and so do the
	// tests that look at the list once the app is idle.
	p.events.Add(1)
	p.u.tasks.Add(1)
	time.AfterFunc(doubleClick, func() {
		defer p.u.tasks.Done()
		defer p.events.Done()
		p.u.do(func() {
			p.eventsMu.Lock()
			closed := p.eventsClosed
			p.eventsMu.Unlock()
			if closed {
				return
			}
			for _, id := range ids {
				delete(p.settling, id)
			}
			p.list.Refresh()
		})
	})
}

// unfinished counts the transfers running or waiting to run: those that
// closing the app stops.
func (p *transfersPanel) unfinished() int {
	n := 0
	for _, j := range p.jobs {
		if j.State == JobRunning || j.State == JobQueued {
			n++
		}
	}
	return n
}
