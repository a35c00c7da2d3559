package cli

import (
	"sync"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/transfer"
)

func progressFlag(fs *pflag.FlagSet) {
	fs.Bool("progress", false, "show a progress bar even when stderr is not a terminal")
}

// meter shows the bytes done across several jobs as one progress bar on
// stderr, only when stderr is a terminal or --progress was given.
type meter struct {
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	done  map[int]int64
	total map[int]int64
	sum   int64
	max   int64
}

func newMeter(env *Env, fs *pflag.FlagSet, total int64, what string) *meter {
	m := &meter{done: map[int]int64{}, total: map[int]int64{}, max: total}
	force, _ := fs.GetBool("progress")
	if !force && !env.IsTerminal() {
		return m
	}
	m.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(env.Err),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200_000_000),
		progressbar.OptionSetWidth(30),
		progressbar.OptionOnCompletion(func() { env.Err.Write([]byte("\n")) }),
	)
	return m
}

// event takes a queue event.
func (m *meter) event(e transfer.Event) {
	if m.bar == nil || !e.Progress && e.State != transfer.Done {
		return
	}
	m.set(e.Job, e.Done, e.Total)
}

// set records job id's bytes done of total. A job's total counts towards
// the bar's once it is known, so a bar over objects of unknown size grows
// as they start.
func (m *meter) set(id int, done, total int64) {
	if m.bar == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, seen := m.total[id]; !seen && total > 0 {
		m.total[id] = total
		if m.bar.GetMax64() < m.sum+total {
			m.bar.ChangeMax64(max(m.max, m.sumTotals()))
		}
	}
	m.sum += done - m.done[id]
	m.done[id] = done
	m.bar.Set64(m.sum)
}

func (m *meter) sumTotals() int64 {
	var t int64
	for _, v := range m.total {
		t += v
	}
	return t
}

func (m *meter) finish() {
	if m.bar != nil {
		m.bar.Finish()
	}
}

func (m *meter) abandon() {
	if m.bar != nil {
		m.bar.Exit()
		m.bar = nil
	}
}
