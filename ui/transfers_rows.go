package ui

import (
	"context"
	"net/url"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/app"
)

// One row of the transfers list: what it is, how far it got, and its
// buttons.

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
	buttons                              *fyne.Container
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
	r.cancel = widget.NewButtonWithIcon("", theme.CancelIcon(), func() {
		if ref, ok := r.ref(); ok && ref.job < 0 {
			p.groupCancel(ref.group)
			return
		}
		j, ok := r.job()
		switch {
		case !ok:
		case j.State == JobFailed:
			p.remove(j.ID)
		default:
			p.confirmCancel(j, func() {
				if err := tr.Cancel(j.ID); err != nil {
					p.u.showError(err)
				}
			})
		}
	})
	r.retry = act(theme.ViewRefreshIcon(), tr.Retry)
	r.reveal = widget.NewButtonWithIcon("", theme.FolderOpenIcon(), r.showInFolder)
	r.buttons = container.NewHBox(r.pause, r.resume, r.cancel, r.retry, r.reveal)
	top := container.NewBorder(nil, nil, r.icon, r.state, r.name)
	bottom := container.NewBorder(nil, nil, nil, container.NewVBox(r.buttons), container.New(barDetailLayout{r.bar, r.detail}, r.bar, r.detail))
	r.content = container.NewVBox(top, bottom, layout.NewSpacer())
	r.ExtendBaseWidget(r)
	return r
}

func (r *jobRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }

// job is the row's job; false for a group's row.
func (r *jobRow) job() (Job, bool) {
	ref, ok := r.ref()
	if !ok || ref.job < 0 || ref.job >= len(r.p.jobs) {
		return Job{}, false
	}
	return r.p.jobs[ref.job], true
}

func (r *jobRow) ref() (rowRef, bool) {
	if r.id < 0 || r.id >= len(r.p.rows) {
		return rowRef{}, false
	}
	return r.p.rows[r.id], true
}

func (r *jobRow) show(id widget.ListItemID) {
	r.id = id
	if ref, ok := r.ref(); ok && ref.job < 0 {
		r.detail.Truncation = fyne.TextTruncateEllipsis
		r.showGroup(ref.group)
		r.p.list.SetItemHeight(id, r.MinSize().Height)
		return
	}
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
	if ref, _ := r.ref(); ref.member {
		r.name.SetText("    " + j.Name) // under its group
	}
	under := j.State == JobRunning || j.State == JobQueued
	// A pause that landed within doubleClick still reads as pausing.
	settling := r.p.settling[j.ID] && j.State == JobPaused
	pausing := settling || (r.p.pausing[j.ID] && under)
	if pausing {
		r.state.SetText(lang.L("Pausing…"))
		r.pause.Disable()
	} else {
		r.state.SetText(stateText(j))
		r.pause.Enable()
	}
	r.bar.SetValue(barValue(j))
	// A canceled transfer will not go on: a bar stopped at 57 % would say
	// it might. A failed one gives the bar's room to what went wrong.
	setVisible(r.bar, j.State != JobCanceled && j.State != JobFailed)
	// An altered file is the one outcome a reader must not miss: red; an
	// unknown writer or another name is a warning.
	if j.Seal == SealVerified && (j.Writer.Moved || (j.Writer.Signed && j.Writer.Name == "")) {
		r.detail.Importance, r.state.Importance = widget.WarningImportance, widget.MediumImportance
	} else if j.Seal == SealBroken {
		r.detail.Importance, r.state.Importance = widget.DangerImportance, widget.DangerImportance
	} else {
		r.detail.Importance, r.state.Importance = widget.MediumImportance, widget.MediumImportance
	}
	r.showDetail(j)
	setVisible(r.pause, under || settling)
	setVisible(r.resume, j.State == JobPaused && !settling)
	setVisible(r.cancel, !j.State.Finished() || j.State == JobFailed)
	// Retry only where it can help: not for a file that was altered or is
	// gone, an expired link, or a key not on this computer. The queue
	// cannot run a canceled job again: it threw away what it had done.
	setVisible(r.retry, j.State == JobFailed && j.Retryable)
	setVisible(r.reveal, j.Local != "")
	// The state's width and the set of buttons change: lay the row out again.
	r.content.(*fyne.Container).Refresh()
	// A row that says what went wrong is as tall as the sentence needs.
	r.p.list.SetItemHeight(id, r.MinSize().Height)
}

// showDetail writes the line under the name. What went wrong is wrapped
// onto as many lines as it needs (up to statusMaxLines), at the width the
// row has beside its buttons: cut with "…", the part that says what to do
// was lost. The rest (sizes, speed, time left) is short, and is cut.
func (r *jobRow) showDetail(j Job) {
	text := detailText(j, r.p.u.explain)
	if j.State != JobFailed {
		r.detail.Truncation = fyne.TextTruncateEllipsis
		r.detail.SetText(text)
		return
	}
	width := r.p.list.Size().Width - r.buttons.MinSize().Width - theme.Padding()
	r.detail.Truncation = fyne.TextTruncateOff
	r.detail.SetText(wrapForLabel(r.detail, text, width, statusMaxLines))
}

// barDetailLayout shares a row's line between its progress bar and its
// detail (objects: bar, detail), half each, or gives the detail all of it
// when the bar is hidden.
type barDetailLayout struct{ bar, detail fyne.CanvasObject }

func (l barDetailLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	if !l.bar.Visible() {
		l.detail.Move(fyne.NewPos(0, 0))
		l.detail.Resize(size)
		return
	}
	pad := theme.Padding()
	half := (size.Width - pad) / 2
	l.bar.Move(fyne.NewPos(0, 0))
	l.bar.Resize(fyne.NewSize(half, size.Height))
	l.detail.Move(fyne.NewPos(half+pad, 0))
	l.detail.Resize(fyne.NewSize(half, size.Height))
}

func (l barDetailLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	d := l.detail.MinSize()
	if !l.bar.Visible() {
		return d
	}
	b := l.bar.MinSize()
	return fyne.NewSize(2*max(b.Width, d.Width)+theme.Padding(), max(b.Height, d.Height))
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
		if f, ok := phaseFraction(j); ok {
			// Reading the file on this computer moves no bytes: say
			// what it does, with how far it got, rather than sizes
			// that stand still.
			pct := map[string]any{"Percent": int(f * 100)}
			if j.Phase == app.JobChecking {
				return lang.L("Checking the saved file… {{.Percent}}%", pct)
			}
			return lang.L("Preparing… {{.Percent}}%", pct)
		}
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

// phaseFraction is how far a running job got in reading its file (re-reading
// what an earlier run saved, or checking the finished file), and false
// when it is not in such a phase.
func phaseFraction(j Job) (float64, bool) {
	if j.State != JobRunning || j.Phase == app.JobTransferring || j.PhaseTotal <= 0 {
		return 0, false
	}
	return min(max(float64(j.PhaseDone)/float64(j.PhaseTotal), 0), 1), true
}

// barValue is the fraction a job's bar shows: the phase's own during a
// phase, so that a check after the last byte moves from empty to full
// instead of standing at 100 %, and the transfer's otherwise.
func barValue(j Job) float64 {
	if f, ok := phaseFraction(j); ok {
		return f
	}
	if j.Total > 0 {
		return float64(j.Done) / float64(j.Total)
	}
	return 0
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
	case w.Me:
		s = lang.L("from me ✓")
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
	if ref, ok := r.ref(); ok && ref.job < 0 {
		r.p.pauseGroup(ref.group)
		return
	}
	j, ok := r.job()
	if !ok || r.p.pausing[j.ID] {
		return
	}
	p, id := r.p, j.ID
	p.pausing[id] = true
	p.settle([]JobID{id})
	p.list.RefreshItem(r.id)
	goDo(p.u, func(context.Context) (struct{}, error) {
		return struct{}{}, p.u.be.Transfers().Pause(id)
	}, func(_ struct{}, err error) {
		if err == nil {
			return
		}
		delete(p.pausing, id)
		if row, ok := p.rowOf[id]; ok {
			p.list.RefreshItem(row)
		}
		p.u.showError(err)
	})
}

func (r *jobRow) act(do func(JobID) error) {
	if ref, ok := r.ref(); ok && ref.job < 0 {
		r.p.groupResume(ref.group) // Resume: Retry is not shown on a group's row
		return
	}
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
		r.p.u.showNotice(r.p.u.newInfo(lang.L("That did not work"),
			lang.L("This computer could not open the folder. The file is in {{.Dir}}.", map[string]any{"Dir": dir})))
	}
}
