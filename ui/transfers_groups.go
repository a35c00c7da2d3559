package ui

import (
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// A dropped folder of 643 files was 643 rows. The jobs of one request
// (Job.Group) now show as one row with their totals, which opens to show
// them; a group of one job is that job's row.

// rowRef is one row of the list: a group's row (job -1) or a job's (an
// index into jobs), member when it sits under its open group.
type rowRef struct {
	group  string
	job    int
	member bool
}

// rebuildRows lays the list out again from jobs: each group at the place
// of its first job, its members under it when it is open.
func (p *transfersPanel) rebuildRows() {
	count := map[string]int{}
	for _, j := range p.jobs {
		if j.Group != "" {
			count[j.Group]++
		}
	}
	members := map[string][]int{}
	for i, j := range p.jobs {
		if count[j.Group] > 1 {
			members[j.Group] = append(members[j.Group], i)
		}
	}
	p.rows = p.rows[:0]
	p.rowOf = make(map[JobID]int, len(p.jobs))
	seen := map[string]bool{}
	for i, j := range p.jobs {
		ms, grouped := members[j.Group]
		if !grouped {
			p.rowOf[j.ID] = len(p.rows)
			p.rows = append(p.rows, rowRef{job: i})
			continue
		}
		if seen[j.Group] {
			continue
		}
		seen[j.Group] = true
		p.rows = append(p.rows, rowRef{group: j.Group, job: -1})
		if p.expanded[j.Group] {
			for _, k := range ms {
				p.rowOf[p.jobs[k].ID] = len(p.rows)
				p.rows = append(p.rows, rowRef{job: k, member: true})
			}
		}
	}
	p.members = members
}

// groupJobs are the jobs of group g.
func (p *transfersPanel) groupJobs(g string) []Job {
	out := make([]Job, 0, len(p.members[g]))
	for _, i := range p.members[g] {
		out = append(out, p.jobs[i])
	}
	return out
}

// toggleGroup opens or closes group g.
func (p *transfersPanel) toggleGroup(g string) {
	p.expanded[g] = !p.expanded[g]
	p.rebuildRows()
	p.list.Refresh()
}

// groupName is what a group's row calls it.
func groupName(jobs []Job) string {
	if len(jobs) > 0 && jobs[0].GroupName != "" {
		return lang.L("{{.Name}} ({{.N}} files)", map[string]any{"Name": jobs[0].GroupName, "N": len(jobs)})
	}
	return lang.L("{{.N}} files", map[string]any{"N": len(jobs)})
}

// groupState sums a group up as one job: the state the user must act on
// first (failed, then under way, then paused), its bytes, and a detail
// line counting how many are done.
func groupState(jobs []Job) (Job, string) {
	sum := Job{State: JobDone}
	if len(jobs) > 0 {
		sum.Kind = jobs[0].Kind
	}
	c := countJobs(jobs)
	switch {
	case c.failed > 0:
		sum.State = JobFailed
	case c.running > 0:
		sum.State = JobRunning
	case c.waiting > 0:
		sum.State = JobQueued
	case c.paused > 0:
		sum.State = JobPaused
	case c.canceled == len(jobs):
		sum.State = JobCanceled
	}
	done := 0
	for _, j := range jobs {
		if j.State == JobDone {
			done++
		}
		if j.Total > 0 {
			sum.Done += min(j.Done, j.Total)
			sum.Total += j.Total
		}
	}
	detail := lang.L("{{.Done}} of {{.N}} done", map[string]any{"Done": done, "N": len(jobs)})
	if sum.Total > 0 {
		detail += " · " + humanBytes(sum.Done) + " / " + humanBytes(sum.Total)
	}
	if c.failed > 0 {
		detail += " · " + lang.L("{{.N}} failed: open the group to see why", map[string]any{"N": c.failed})
	}
	if c.speed > 0 {
		detail += " · " + humanBytes(int64(c.speed)) + "/s"
	}
	return sum, detail
}

// showGroup draws group g's row.
func (r *jobRow) showGroup(g string) {
	jobs := r.p.groupJobs(g)
	sum, detail := groupState(jobs)
	r.icon.SetResource(theme.FolderIcon())
	arrow := "▸ "
	if r.p.expanded[g] {
		arrow = "▾ "
	}
	r.name.SetText(arrow + groupName(jobs))
	r.state.SetText(stateText(sum))
	r.state.Importance = widget.MediumImportance
	r.detail.Importance = widget.MediumImportance
	if sum.State == JobFailed {
		r.state.Importance = widget.DangerImportance
	}
	if sum.Total > 0 {
		r.bar.SetValue(float64(sum.Done) / float64(sum.Total))
	} else {
		r.bar.SetValue(0)
	}
	setVisible(r.bar, sum.State != JobCanceled)
	r.detail.SetText(detail)
	c := countJobs(jobs)
	// Just paused: Pause stays, disabled, where Resume would come
	// (doubleClick).
	settling := false
	for _, j := range jobs {
		settling = settling || (r.p.settling[j.ID] && j.State == JobPaused)
	}
	setEnabled(r.pause, !settling)
	setVisible(r.pause, c.running+c.waiting > 0 || settling)
	setVisible(r.resume, c.paused > 0 && !settling)
	setVisible(r.cancel, c.running+c.waiting+c.paused > 0)
	setVisible(r.retry, false)
	setVisible(r.reveal, false)
	r.content.Refresh()
}

// groupResume resumes group g's paused jobs (Resume on its row; Retry is
// not shown there).
func (p *transfersPanel) groupResume(g string) {
	p.each(idsIn(p.groupJobs(g), JobPaused), p.u.be.Transfers().Resume, nil)
}

// groupCancel asks, then cancels every job of group g not yet over.
func (p *transfersPanel) groupCancel(g string) {
	jobs := p.groupJobs(g)
	p.cancelAsking(lang.L("Cancel {{.Name}}?", map[string]any{"Name": groupName(jobs)}), lang.L("Cancel transfers"),
		idsIn(jobs, JobRunning, JobQueued, JobPaused))
}

// pauseGroup pauses group g's jobs under way or waiting.
func (p *transfersPanel) pauseGroup(g string) { p.pause(idsIn(p.groupJobs(g), JobRunning, JobQueued)) }
