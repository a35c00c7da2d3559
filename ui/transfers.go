package ui

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/transfer"
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

	jobs  []Job
	index map[JobID]int
	stop  func()
	// removed are the jobs taken off the list: an event of theirs still
	// on its way must not bring them back.
	removed map[JobID]bool
	// pausing are the jobs whose Pause was pressed and whose pause has not
	// landed yet: a running transfer stops at its next piece, which can
	// take seconds, and meanwhile the row says so and ignores more clicks.
	pausing map[JobID]bool

	// batches are the transfers the status line is talking about, each
	// with what to say once all of its jobs are over.
	batches []jobBatch

	// The queue's events come on its own goroutine and may be on their way
	// when the panel closes: once closed, none gets in, and closing the app
	// waits for those already in, so none touches the window afterwards.
	eventsMu     sync.Mutex
	eventsClosed bool
	events       sync.WaitGroup
}

// jobBatch is one user action's transfers: a download, a folder, a drop.
type jobBatch struct {
	ids  []JobID
	done func([]Job) string
}

func newTransfersPanel(u *appUI) *transfersPanel {
	p := &transfersPanel{u: u, index: map[JobID]int{}, removed: map[JobID]bool{}, pausing: map[JobID]bool{}}
	p.list = widget.NewList(func() int { return len(p.jobs) }, func() fyne.CanvasObject { return newJobRow(p) },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*jobRow).show(id) })
	p.list.OnSelected = p.onSelected
	p.empty = widget.NewLabel(lang.L("Nothing is being uploaded or downloaded. Drop files on the window to upload them."))
	p.empty.Wrapping = fyne.TextWrapWord
	p.summary = widget.NewLabel("")
	p.clear = widget.NewButtonWithIcon(lang.L("Clear finished"), theme.ContentClearIcon(), p.onClearFinished)
	p.clear.Disable()
	top := container.NewBorder(nil, nil, nil, p.clear, p.empty)
	p.content = container.NewBorder(top, nil, nil, nil, p.list)
	p.stop = u.be.Transfers().Subscribe(func(j Job) {
		if !p.eventStarted() {
			return
		}
		defer p.events.Done()
		u.do(func() {
			if !p.closed() {
				p.update(j)
			}
		})
	})
	return p
}

// eventStarted counts an event in, unless the panel is closed.
func (p *transfersPanel) eventStarted() bool {
	p.eventsMu.Lock()
	defer p.eventsMu.Unlock()
	if p.eventsClosed {
		return false
	}
	p.events.Add(1)
	return true
}

func (p *transfersPanel) closed() bool {
	p.eventsMu.Lock()
	defer p.eventsMu.Unlock()
	return p.eventsClosed
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
		err := p.u.be.Transfers().Remove(id)
		if err == nil || !errors.Is(err, transfer.ErrNotEnded) {
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

// update applies one event, redrawing only that job's row.
func (p *transfersPanel) update(j Job) {
	if p.removed[j.ID] {
		return
	}
	if j.State != JobRunning && j.State != JobQueued {
		delete(p.pausing, j.ID)
	}
	i, ok := p.index[j.ID]
	if !ok {
		p.index[j.ID] = len(p.jobs)
		p.jobs = append(p.jobs, j)
		p.list.Refresh()
		// The newest transfer is the one the user just started: bring it
		// into view rather than leave it below older ones.
		p.list.ScrollToBottom()
	} else {
		was := p.jobs[i].State
		p.jobs[i] = j
		p.list.RefreshItem(i)
		if !was.Finished() && j.State.Finished() {
			p.finished(j)
		}
	}
	p.updateSummary()
}

// onSelected shows why a failed transfer failed: in its row the sentence
// is cut to the width left beside the progress bar.
func (p *transfersPanel) onSelected(id widget.ListItemID) {
	p.list.Unselect(id)
	if id < 0 || id >= len(p.jobs) {
		return
	}
	if j := p.jobs[id]; j.State == JobFailed && j.Err != nil {
		p.u.showNotice(dialog.NewInformation(lang.L("That did not work"), p.failureText(j), p.u.win))
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

// updateSummary writes the status bar's line about transfers.
func (p *transfersPanel) updateSummary() {
	var running, waiting, failed, paused, ended, canceled int
	var speed float64
	var eta time.Duration
	var done, total int64
	for _, j := range p.jobs {
		switch j.State {
		case JobRunning:
			running++
			speed += j.Speed
			eta = max(eta, j.ETA)
		case JobQueued:
			waiting++
		case JobFailed:
			failed++
		case JobPaused:
			paused++
		case JobDone:
			ended++
		case JobCanceled:
			ended++
			canceled++
		}
		if j.State == JobRunning || j.State == JobQueued {
			done += max(j.Done, 0)
			total += max(j.Total, 0)
		}
	}
	if len(p.jobs) == 0 {
		p.empty.Show()
	} else {
		p.empty.Hide()
	}
	if ended > 0 {
		p.clear.Enable()
	} else {
		p.clear.Disable()
	}
	s := ""
	switch {
	case running+waiting > 0:
		switch {
		case waiting == 0:
			s = lang.L("{{.N}} transferring", map[string]any{"N": running})
		case running == 0:
			s = lang.L("{{.N}} waiting", map[string]any{"N": waiting})
		default:
			s = lang.L("{{.Running}} transferring, {{.Waiting}} waiting", map[string]any{"Running": running, "Waiting": waiting})
		}
		// How far along, on whatever screen the user is: the progress bars
		// are on Transfers, and a drop happens on Files.
		if total > 0 {
			s += " · " + strconv.FormatInt(min(done*100/total, 100), 10) + "%"
		}
		if speed > 0 {
			s += " · " + humanBytes(int64(speed)) + "/s"
		}
		if eta > 0 {
			s += " · " + etaText(eta)
		}
	case failed == 1:
		s = lang.L("1 transfer failed: see Transfers")
	case failed > 0:
		s = lang.L("{{.N}} transfers failed: see Transfers", map[string]any{"N": failed})
	case paused > 0:
		// Not "all done": a paused transfer waits for the user.
		s = lang.L("{{.N}} paused", map[string]any{"N": paused})
	case canceled > 0 && canceled == ended:
		// "All done" would claim files that never arrived.
		s = lang.L("{{.N}} canceled", map[string]any{"N": canceled})
	case canceled > 0:
		s = lang.L("{{.Done}} done, {{.Canceled}} canceled", map[string]any{"Done": ended - canceled, "Canceled": canceled})
	case len(p.jobs) > 0:
		s = lang.L("All transfers are done.")
	}
	if s != p.summary.Text {
		was := p.summary.MinSize().Width
		p.summary.SetText(s)
		// The summary's width follows its text: lay the bar out again
		// when it changed.
		if p.u.statusBar != nil && p.summary.MinSize().Width != was {
			p.u.statusBar.Refresh()
		}
	}
	p.settleBatches()
}

// track puts running on the status line for the jobs ids, and once they
// are all over, what done says about them: where a download went and under
// what name, which the user otherwise has to look for. If any failed or was
// canceled the line is cleared instead, since "Downloading…" would
// contradict the failure the summary reports.
func (p *transfersPanel) track(ids []JobID, running string, done func([]Job) string) {
	p.u.setStatus(running)
	p.batches = append(p.batches, jobBatch{ids: ids, done: done})
	p.settleBatches()
}

func (p *transfersPanel) settleBatches() {
	keep := p.batches[:0]
	for _, b := range p.batches {
		jobs := make([]Job, 0, len(b.ids))
		over, ok := true, true
		for _, id := range b.ids {
			i, known := p.index[id]
			// A job not heard of yet is still on its way to the list.
			if !known || !p.jobs[i].State.Finished() {
				over = false
				break
			}
			jobs = append(jobs, p.jobs[i])
			ok = ok && p.jobs[i].State == JobDone
		}
		if !over {
			keep = append(keep, b)
			continue
		}
		msg := ""
		if ok {
			msg = b.done(jobs)
		} else if j, failed := firstFailure(jobs); failed {
			// Say why where the user is looking, not only on Transfers.
			msg = p.failureText(j)
		}
		p.u.setStatus(msg)
	}
	clear(p.batches[len(keep):])
	p.batches = keep
}

// firstFailure returns the first job that failed with a reason.
func firstFailure(jobs []Job) (Job, bool) {
	for _, j := range jobs {
		if j.State == JobFailed && j.Err != nil {
			return j, true
		}
	}
	return Job{}, false
}

// savedText says where a finished download went, under the name it was
// saved with, which differs from the file's when one of that name was there.
func savedText(jobs []Job) string {
	if len(jobs) != 1 || jobs[0].Local == "" {
		return lang.L("All transfers are done.")
	}
	return lang.L("Saved “{{.Name}}” in {{.Dir}}.", map[string]any{
		"Name": filepath.Base(jobs[0].Local), "Dir": filepath.Dir(jobs[0].Local)})
}

func etaText(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Minute:
		return lang.L("less than a minute left")
	case d < time.Hour:
		return lang.L("about {{.N}} min left", map[string]any{"N": int(d.Round(time.Minute) / time.Minute)})
	}
	return lang.L("about {{.N}} h left", map[string]any{"N": int(d.Round(time.Hour) / time.Hour)})
}

func stateText(j Job) string {
	switch j.State {
	case JobQueued:
		return lang.L("Waiting")
	case JobRunning:
		if j.Kind == Upload {
			return lang.L("Uploading")
		}
		return lang.L("Downloading")
	case JobPaused:
		return lang.L("Paused")
	case JobDone:
		if j.Kind == Upload {
			return lang.L("Uploaded")
		}
		// The row must say where the file went, and under which name when
		// a file of the same name was there already.
		if j.Local != "" {
			args := map[string]any{"Folder": filepath.Base(filepath.Dir(j.Local)), "File": filepath.Base(j.Local)}
			if filepath.Base(j.Local) != j.Name {
				return lang.L("Saved in {{.Folder}} as {{.File}}", args)
			}
			return lang.L("Saved in {{.Folder}}", args)
		}
		return lang.L("Downloaded")
	case JobCanceled:
		return lang.L("Canceled")
	}
	return lang.L("Failed")
}

// jobRow is one transfer: what, how far, and its buttons.
type jobRow struct {
	widget.BaseWidget
	p  *transfersPanel
	id widget.ListItemID

	icon                                 *widget.Icon
	name, state, detail                  *widget.Label
	bar                                  *widget.ProgressBar
	pause, resume, cancel, retry, reveal *widget.Button
	content                              fyne.CanvasObject
}

func newJobRow(p *transfersPanel) *jobRow {
	r := &jobRow{p: p, icon: widget.NewIcon(theme.UploadIcon())}
	r.name = widget.NewLabel("")
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.state = widget.NewLabel("")
	r.detail = widget.NewLabel("")
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.bar = widget.NewProgressBar()
	act := func(icon fyne.Resource, do func(JobID) error) *widget.Button {
		return widget.NewButtonWithIcon("", icon, func() { r.act(do) })
	}
	tr := p.u.be.Transfers()
	r.pause = widget.NewButtonWithIcon("", theme.MediaPauseIcon(), r.onPause)
	r.resume = act(theme.MediaPlayIcon(), tr.Resume)
	// On a failed row the same button takes it off the list, as Clear
	// finished does for the others: canceling what has stopped means
	// throwing away what it left.
	r.cancel = act(theme.CancelIcon(), func(id JobID) error {
		if j, ok := r.job(); ok && j.State == JobFailed {
			p.remove(id)
			return nil
		}
		return tr.Cancel(id)
	})
	r.retry = act(theme.ViewRefreshIcon(), tr.Retry)
	r.reveal = widget.NewButtonWithIcon("", theme.FolderOpenIcon(), r.showInFolder)
	buttons := container.NewHBox(r.pause, r.resume, r.cancel, r.retry, r.reveal)
	top := container.NewBorder(nil, nil, r.icon, r.state, r.name)
	bottom := container.NewBorder(nil, nil, nil, buttons, container.NewGridWithColumns(2, r.bar, r.detail))
	r.content = container.NewVBox(top, bottom, layout.NewSpacer())
	r.ExtendBaseWidget(r)
	return r
}

func (r *jobRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }

func (r *jobRow) job() (Job, bool) {
	if r.id < 0 || r.id >= len(r.p.jobs) {
		return Job{}, false
	}
	return r.p.jobs[r.id], true
}

func (r *jobRow) show(id widget.ListItemID) {
	r.id = id
	j, ok := r.job()
	if !ok {
		return
	}
	if j.Kind == Upload {
		r.icon.SetResource(theme.UploadIcon())
	} else {
		r.icon.SetResource(theme.DownloadIcon())
	}
	r.name.SetText(j.Name)
	pausing := r.p.pausing[j.ID] && (j.State == JobRunning || j.State == JobQueued)
	if pausing {
		r.state.SetText(lang.L("Pausing…"))
		r.pause.Disable()
	} else {
		r.state.SetText(stateText(j))
		r.pause.Enable()
	}
	if j.Total > 0 {
		r.bar.SetValue(float64(j.Done) / float64(j.Total))
	} else {
		r.bar.SetValue(0)
	}
	// A canceled transfer will not go on: a bar stopped at 57 % would say
	// it might.
	setVisible(r.bar, j.State != JobCanceled)
	// An altered file is the one outcome a reader must not miss: red; an
	// unknown writer or another name is a warning.
	if j.Seal == SealVerified && (j.Writer.Moved || (j.Writer.Signed && j.Writer.Name == "")) {
		r.detail.Importance, r.state.Importance = widget.WarningImportance, widget.MediumImportance
	} else if j.Seal == SealBroken {
		r.detail.Importance, r.state.Importance = widget.DangerImportance, widget.DangerImportance
	} else {
		r.detail.Importance, r.state.Importance = widget.MediumImportance, widget.MediumImportance
	}
	r.detail.SetText(detailText(j, r.p.u.explain))
	setVisible(r.pause, j.State == JobRunning || j.State == JobQueued)
	setVisible(r.resume, j.State == JobPaused)
	setVisible(r.cancel, !j.State.Finished() || j.State == JobFailed)
	// Retry only where it can help: not for a file that was altered or is
	// gone, an expired link, or a key not on this computer. The queue
	// cannot run a canceled job again: it threw away what it had done.
	setVisible(r.retry, j.State == JobFailed && transfer.Retryable(j.Err))
	setVisible(r.reveal, j.Local != "")
	// The state's width and the set of buttons change: lay the row out again.
	r.content.(*fyne.Container).Refresh()
}

// detailText is the line under a job's name: sizes, speed and time left, or
// what went wrong.
func detailText(j Job, explain func(error) string) string {
	mark := ""
	if j.Kind == Download {
		mark = sealText(Lock{Seal: j.Seal})
	}
	if j.Seal == SealNotChecked {
		// The row has room to say why, which the column has not.
		mark = lang.L("not protected (another app)")
	}
	switch j.State {
	case JobFailed:
		if j.Err == nil {
			return mark
		}
		if mark != "" {
			return mark + " · " + explain(j.Err)
		}
		return explain(j.Err)
	case JobRunning:
		if j.Done <= 0 {
			// Before its first byte a transfer reads or checks the whole
			// file, which takes a while for a large one: "0 B / 0 B" read
			// as stuck.
			return lang.L("Preparing…")
		}
		s := humanBytes(j.Done) + " / " + humanBytes(j.Total)
		if j.Speed > 0 {
			s += " · " + humanBytes(int64(j.Speed)) + "/s"
		}
		if j.ETA > 0 {
			s += " · " + etaText(j.ETA)
		}
		return s
	case JobDone:
		if w := writerText(j); w != "" {
			mark += " · " + w
		}
		if mark != "" {
			return humanBytes(j.Done) + " / " + humanBytes(j.Total) + " · " + mark
		}
	case JobCanceled:
		// Nothing was kept: how far it had got means nothing now.
		return ""
	case JobQueued:
		if j.Total <= 0 {
			return ""
		}
	}
	return humanBytes(j.Done) + " / " + humanBytes(j.Total)
}

// writerText says who wrote a verified download, and where it was
// uploaded when that is not where it was read: "intact" alone would let a
// copy of Alice's invoice under Bob's name pass for Bob's.
func writerText(j Job) string {
	w := j.Writer
	if j.Kind != Download || j.Seal != SealVerified {
		return ""
	}
	var s string
	switch {
	case !w.Signed:
		s = lang.L("not signed")
	case w.Name != "":
		s = lang.L("from {{.Name}} ✓", map[string]any{"Name": w.Name})
	default:
		s = "⚠ " + lang.L("from someone not in your keys ({{.Code}})", map[string]any{"Code": w.Fingerprint})
	}
	if w.Moved {
		s += " · ⚠ " + lang.L("uploaded as {{.Where}} on {{.Date}}", map[string]any{"Where": w.UploadedAs, "Date": w.UploadedAt.Local().Format("2006-01-02 15:04")})
	}
	return s
}

func setVisible(o fyne.CanvasObject, v bool) {
	if v {
		o.Show()
	} else {
		o.Hide()
	}
}

// onPause asks the queue to pause the job, off the UI goroutine, and shows
// "Pausing…" until the pause lands (update clears it).
func (r *jobRow) onPause() {
	j, ok := r.job()
	if !ok || r.p.pausing[j.ID] {
		return
	}
	p, id := r.p, j.ID
	p.pausing[id] = true
	p.list.RefreshItem(r.id)
	goDo(p.u, func(context.Context) (struct{}, error) {
		return struct{}{}, p.u.be.Transfers().Pause(id)
	}, func(_ struct{}, err error) {
		if err == nil {
			return
		}
		delete(p.pausing, id)
		if i, ok := p.index[id]; ok {
			p.list.RefreshItem(i)
		}
		p.u.showError(err)
	})
}

func (r *jobRow) act(do func(JobID) error) {
	j, ok := r.job()
	if !ok {
		return
	}
	if err := do(j.ID); err != nil {
		r.p.u.showError(err)
	}
}

// showInFolder opens the folder holding the job's file on this computer.
func (r *jobRow) showInFolder() {
	j, ok := r.job()
	if !ok || j.Local == "" {
		return
	}
	dir := filepath.Dir(j.Local)
	u := &url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}
	if err := r.p.u.app.OpenURL(u); err != nil {
		// Without a file manager to open it with, "try again" does not
		// help: say where the folder is, so the user can go there.
		r.p.u.showNotice(dialog.NewInformation(lang.L("That did not work"),
			lang.L("This computer could not open the folder. The file is in {{.Dir}}.", map[string]any{"Dir": dir}), r.p.u.win))
	}
}
