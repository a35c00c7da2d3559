package transfer

import (
	"testing"
	"time"
)

func TestRateSteady(t *testing.T) {
	r := NewRate()
	t0 := time.Unix(1000, 0)
	for i := 0; i <= 20; i++ {
		r.Observe(t0.Add(time.Duration(i)*time.Second), int64(i)*1000)
	}
	if s := r.Speed(); s < 999 || s > 1001 {
		t.Fatalf("speed = %v, want 1000", s)
	}
	if eta := r.ETA(20000, 30000); eta < 9*time.Second || eta > 11*time.Second {
		t.Fatalf("ETA = %v, want 10s", eta)
	}
}

func TestRateSmoothsBursts(t *testing.T) {
	r := NewRate()
	t0 := time.Unix(1000, 0)
	done := int64(0)
	for i := 0; i <= 30; i++ {
		r.Observe(t0.Add(time.Duration(i)*time.Second), done)
		done += 1000
	}
	// One second in which ten times the usual arrived.
	r.Observe(t0.Add(31*time.Second), done+9000)
	if s := r.Speed(); s > 3000 {
		t.Fatalf("speed jumped to %v on one burst", s)
	}
}

func TestRateUnknownAndRewind(t *testing.T) {
	r := NewRate()
	if eta := r.ETA(0, 10); eta != -1 {
		t.Fatalf("ETA before any sample = %v, want -1", eta)
	}
	if eta := r.ETA(10, 10); eta != 0 {
		t.Fatalf("ETA when done = %v, want 0", eta)
	}
	t0 := time.Unix(1000, 0)
	r.Observe(t0, 5000)
	r.Observe(t0.Add(time.Second), 6000)
	r.Observe(t0.Add(2*time.Second), 100) // a part being resent
	if s := r.Speed(); s < 0 {
		t.Fatalf("speed went negative: %v", s)
	}
	// Samples closer than the interval are ignored.
	r2 := NewRate()
	r2.Observe(t0, 0)
	r2.Observe(t0.Add(time.Millisecond), 1<<30)
	if r2.Speed() != 0 {
		t.Fatalf("a 1 ms sample set the speed to %v", r2.Speed())
	}
}
