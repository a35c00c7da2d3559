package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Acting on every transfer at once: with a dropped folder of hundreds of
// files, pausing or canceling them one row at a time was no option.

// largeTransfer is the size from which canceling a transfer under way
// asks first: what it has sent or saved so far is thrown away.
const largeTransfer = 100 << 20

// newAllButtons makes Pause all, Resume all and Cancel all.
func (p *transfersPanel) newAllButtons() fyne.CanvasObject {
	p.pauseAll = widget.NewButtonWithIcon(lang.L("Pause all"), theme.MediaPauseIcon(), p.onPauseAll)
	p.resumeAll = widget.NewButtonWithIcon(lang.L("Resume all"), theme.MediaPlayIcon(), p.onResumeAll)
	p.cancelAll = widget.NewButtonWithIcon(lang.L("Cancel all"), theme.CancelIcon(), p.onCancelAll)
	for _, b := range []*widget.Button{p.pauseAll, p.resumeAll, p.cancelAll} {
		b.Disable()
	}
	return container.NewHBox(p.pauseAll, p.resumeAll, p.cancelAll, p.clear)
}

// updateAllButtons enables what has something to act on.
func (p *transfersPanel) updateAllButtons(c jobCounts) {
	setEnabled(p.pauseAll, c.running+c.waiting > 0)
	setEnabled(p.resumeAll, c.paused > 0)
	setEnabled(p.cancelAll, c.running+c.waiting+c.paused > 0)
}

// idsIn returns the jobs of jobs in one of states.
func idsIn(jobs []Job, states ...JobState) []JobID {
	var out []JobID
	for _, j := range jobs {
		if slices.Contains(states, j.State) {
			out = append(out, j.ID)
		}
	}
	return out
}

// onPauseAll pauses every transfer under way or waiting.
func (p *transfersPanel) onPauseAll() { p.pause(idsIn(p.jobs, JobRunning, JobQueued)) }

// pause pauses the jobs ids not already being paused; each row says
// "Pausing…" until its pause lands.
func (p *transfersPanel) pause(ids []JobID) {
	ids = slices.DeleteFunc(ids, func(id JobID) bool { return p.pausing[id] })
	for _, id := range ids {
		p.pausing[id] = true
	}
	p.settle(ids)
	p.list.Refresh()
	p.each(ids, p.u.be.Transfers().Pause, func(id JobID) { delete(p.pausing, id) })
}

func (p *transfersPanel) onResumeAll() {
	p.each(idsIn(p.jobs, JobPaused), p.u.be.Transfers().Resume, nil)
}

// onCancelAll asks first: canceling throws away what was sent or saved.
// "Cancel" beside "Cancel all" would say both things at once.
func (p *transfersPanel) onCancelAll() {
	p.cancelAsking(lang.L("Cancel all transfers?"), lang.L("Cancel all"), idsIn(p.jobs, JobRunning, JobQueued, JobPaused))
}

// cancelAsking cancels ids once the user confirmed, in a question titled
// title whose button says action.
func (p *transfersPanel) cancelAsking(title, action string, ids []JobID) {
	if len(ids) == 0 {
		return
	}
	msg := lang.L("{{.N}} transfers stop, and what they sent or saved so far is thrown away. Transfers already done stay as they are.", map[string]any{"N": len(ids)})
	if len(ids) == 1 {
		msg = lang.L("1 transfer stops, and what it sent or saved so far is thrown away. Transfers already done stay as they are.")
	}
	p.u.confirmDanger(title, msg, action, func() {
		p.each(ids, p.u.be.Transfers().Cancel, nil)
	}).SetDismissText(lang.L("Keep going"))
}

// each runs do on every id off the UI goroutine (a pause can wait for a
// part to finish); failed, if set, undoes what the screen assumed for an
// id whose call failed, and the first error is shown.
func (p *transfersPanel) each(ids []JobID, do func(JobID) error, failed func(JobID)) {
	if len(ids) == 0 {
		return
	}
	type failure struct {
		ids   []JobID
		first error
	}
	goDo(p.u, func(context.Context) (failure, error) {
		var f failure
		for _, id := range ids {
			if err := do(id); err != nil {
				f.ids = append(f.ids, id)
				if f.first == nil {
					f.first = err
				}
			}
		}
		return f, f.first
	}, func(f failure, err error) {
		if failed != nil {
			for _, id := range f.ids {
				failed(id)
			}
			p.list.Refresh()
		}
		if err != nil {
			p.u.showError(err)
		}
	})
}

// confirmCancel cancels j, asking first when it is large and under way.
func (p *transfersPanel) confirmCancel(j Job, cancel func()) {
	if (j.State != JobRunning && j.State != JobPaused) || j.Total < largeTransfer {
		cancel()
		return
	}
	args := map[string]any{"Name": j.Name, "Done": humanBytes(j.Done), "Total": humanBytes(j.Total)}
	p.u.confirmDanger(lang.L("Cancel this transfer?"),
		lang.L("“{{.Name}}” is under way ({{.Done}} of {{.Total}}). Canceling throws away what was sent or saved so far.", args),
		lang.L("Cancel transfer"), cancel).SetDismissText(lang.L("Keep going"))
}
