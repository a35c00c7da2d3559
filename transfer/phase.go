package transfer

import (
	"context"
	"fmt"
	"sync/atomic"
)

// Phase is what a running job is doing. Most of the time it moves bytes
// over the network (PhaseTransfer); a download also reads its local file
// without moving any, which for a large file takes long enough that a
// window showing nothing meanwhile looks stuck.
type Phase int

const (
	// PhaseTransfer: bytes move over the network; Event.Done counts them.
	PhaseTransfer Phase = iota
	// PhaseReading: a resumed download re-reads what an earlier run
	// saved into its integrity check, before the first new byte.
	PhaseReading
	// PhaseChecking: a finished download reads its temporary file back,
	// to see that it still holds what was checked, before it gets its
	// name (see writtenSums).
	PhaseChecking
)

func (p Phase) String() string {
	switch p {
	case PhaseTransfer:
		return "transfer"
	case PhaseReading:
		return "reading"
	case PhaseChecking:
		return "checking"
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

// PhaseProgress receives the progress of a phase other than
// PhaseTransfer: done of total bytes read in phase ph.
type PhaseProgress func(ph Phase, done, total int64)

type phaseKey struct{}

// WithPhaseProgress returns a context under which a Download reports its
// reading and checking phases to fn, about every 200 ms and once as each
// starts and ends. A context value rather than another parameter: every
// caller of Download passes a Progress, and only the queue, which shows
// a job's phase in its events, has a use for the phases.
func WithPhaseProgress(ctx context.Context, fn PhaseProgress) context.Context {
	return context.WithValue(ctx, phaseKey{}, fn)
}

// phaseMeter counts the bytes of one phase for its reports. A nil
// *phaseMeter counts nothing, so that a phase nobody watches costs one
// nil check per buffer.
type phaseMeter struct {
	count atomic.Int64
	stop  func()
}

// startPhase reports the start of phase ph, of total bytes, to the
// PhaseProgress of ctx, and returns the meter that reports the rest; nil
// when ctx has none or there is nothing to read.
func startPhase(ctx context.Context, ph Phase, total int64) *phaseMeter {
	fn, _ := ctx.Value(phaseKey{}).(PhaseProgress)
	if fn == nil || total <= 0 {
		return nil
	}
	fn(ph, 0, total)
	m := &phaseMeter{}
	m.stop = report(&m.count, total, func(done, total int64) { fn(ph, done, total) })
	return m
}

// add counts n more bytes read.
func (m *phaseMeter) add(n int64) {
	if m != nil {
		m.count.Add(n)
	}
}

// end reports the phase's last count and stops its reports; it waits for
// a report under way, so that none comes after the phase.
func (m *phaseMeter) end() {
	if m != nil {
		m.stop()
	}
}
