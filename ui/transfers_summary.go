package ui

import (
	"path/filepath"
	"strconv"
	"time"

	"fyne.io/fyne/v2/lang"
)

// The status line's words about transfers: how many run and how far they
// are, and, once one user action's transfers are over, what came of them.

// jobBatch is one user action's transfers: a download, a folder, a drop.
type jobBatch struct {
	ids  []JobID
	done func([]Job) string
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
