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
	c := countJobs(p.jobs)
	setVisible(p.empty, len(p.jobs) == 0)
	setEnabled(p.clear, c.ended > 0)
	p.updateAllButtons(c)
	p.setSummary(c.summary())
	p.settleBatches()
}

// jobCounts is the list of transfers added up, for the status line.
type jobCounts struct {
	listed                                            int
	running, waiting, failed, paused, ended, canceled int
	speed                                             float64
	eta                                               time.Duration
	// done and total are the bytes of the transfers under way.
	done, total int64
}

func countJobs(jobs []Job) jobCounts {
	c := jobCounts{listed: len(jobs)}
	for _, j := range jobs {
		switch j.State {
		case JobRunning:
			c.running++
			c.speed += j.Speed
			c.eta = max(c.eta, j.ETA)
		case JobQueued:
			c.waiting++
		case JobFailed:
			c.failed++
		case JobPaused:
			c.paused++
		case JobDone:
			c.ended++
		case JobCanceled:
			c.ended++
			c.canceled++
		}
		if j.State == JobRunning || j.State == JobQueued {
			c.done += max(j.Done, 0)
			c.total += max(j.Total, 0)
		}
	}
	return c
}

// summary is the status line's sentence: what is under way first, then
// what needs the user (failures, pauses), then how it all ended.
func (c jobCounts) summary() string {
	switch {
	case c.running+c.waiting > 0:
		return c.underWay()
	case c.failed == 1:
		return lang.L("1 transfer failed: see Transfers")
	case c.failed > 0:
		return lang.L("{{.N}} transfers failed: see Transfers", map[string]any{"N": c.failed})
	case c.paused > 0:
		// Not "all done": a paused transfer waits for the user.
		return lang.L("{{.N}} paused", map[string]any{"N": c.paused})
	case c.canceled > 0 && c.canceled == c.ended:
		// "All done" would claim files that never arrived.
		return lang.L("{{.N}} canceled", map[string]any{"N": c.canceled})
	case c.canceled > 0:
		return lang.L("{{.Done}} done, {{.Canceled}} canceled", map[string]any{"Done": c.ended - c.canceled, "Canceled": c.canceled})
	case c.listed > 0:
		return lang.L("All transfers are done.")
	}
	return ""
}

// underWay says how many transfers run and wait, and how far along they
// are, on whatever screen the user is: the progress bars are on
// Transfers, and a drop happens on Files.
func (c jobCounts) underWay() string {
	var s string
	switch {
	case c.waiting == 0:
		s = lang.L("{{.N}} transferring", map[string]any{"N": c.running})
	case c.running == 0:
		s = lang.L("{{.N}} waiting", map[string]any{"N": c.waiting})
	default:
		s = lang.L("{{.Running}} transferring, {{.Waiting}} waiting", map[string]any{"Running": c.running, "Waiting": c.waiting})
	}
	if c.total > 0 {
		s += " · " + strconv.FormatInt(min(c.done*100/c.total, 100), 10) + "%"
	}
	if c.speed > 0 {
		s += " · " + humanBytes(int64(c.speed)) + "/s"
	}
	if c.eta > 0 {
		s += " · " + etaText(c.eta)
	}
	return s
}

// setSummary puts s on the status bar. The summary's width follows its
// text: the bar is laid out again when it changed.
func (p *transfersPanel) setSummary(s string) {
	if s == p.summary.Text {
		return
	}
	was := p.summary.MinSize().Width
	p.summary.SetText(s)
	if p.u.statusBar != nil && p.summary.MinSize().Width != was {
		p.u.statusBar.Refresh()
	}
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
