package transfer

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Rate estimates a transfer's speed and time left. The speed is an
// exponentially weighted moving average over samples at least Interval
// apart, so that one burst (a part landing at once) does not make the ETA
// jump about. The zero value is not ready; use NewRate.
type Rate struct {
	// HalfLife is how long it takes an old sample to count half as much.
	HalfLife time.Duration
	// Interval is the shortest time between two samples.
	Interval time.Duration

	speed     float64 // bytes per second, smoothed
	have      bool
	lastT     time.Time
	lastBytes int64
}

// NewRate returns a Rate with a 5-second half-life, sampling every 500 ms.
func NewRate() *Rate {
	return &Rate{HalfLife: 5 * time.Second, Interval: 500 * time.Millisecond}
}

// Observe records that done bytes were finished at t. Bytes that go
// backwards (a part being resent) restart the sample window without
// counting as negative speed.
func (r *Rate) Observe(t time.Time, done int64) {
	if r.lastT.IsZero() || done < r.lastBytes {
		r.lastT, r.lastBytes = t, done
		return
	}
	dt := t.Sub(r.lastT)
	if dt < r.Interval {
		return
	}
	inst := float64(done-r.lastBytes) / dt.Seconds()
	if !r.have {
		r.speed, r.have = inst, true
	} else {
		// Weight of the old estimate after dt: 2^(-dt/halfLife).
		w := math.Exp2(-dt.Seconds() / r.HalfLife.Seconds())
		r.speed = w*r.speed + (1-w)*inst
	}
	r.lastT, r.lastBytes = t, done
}

// Speed is the smoothed speed in bytes per second (0 until known).
func (r *Rate) Speed() float64 { return r.speed }

// ETA is the time left for total-done bytes at the smoothed speed, or -1
// when it is not known yet.
func (r *Rate) ETA(done, total int64) time.Duration {
	if done >= total {
		return 0
	}
	if !r.have || r.speed <= 0 {
		return -1
	}
	secs := float64(total-done) / r.speed
	if secs > float64(math.MaxInt64/int64(time.Second)) {
		return -1
	}
	return time.Duration(secs * float64(time.Second))
}

// report calls progress about every 200 ms from count until stopped, and
// once more at the end.
func report(count *atomic.Int64, total int64, progress Progress) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				progress(count.Load(), total)
			case <-done:
				progress(count.Load(), total)
				return
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
