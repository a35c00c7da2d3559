package osslocal

import (
	"bytes"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock advances only when slept on, and records the total slept.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.slept += d
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *fakeClock) total() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}

func near(got, want time.Duration) bool {
	return math.Abs(float64(got-want)) < float64(time.Millisecond)
}

func TestPacer(t *testing.T) {
	const rate = 1 << 20
	sec := func(bytes float64) time.Duration { return time.Duration(bytes / rate * float64(time.Second)) }
	tests := []struct {
		name   string
		rate   int64
		chunks []int
		idle   time.Duration // before the first chunk, after the pacer started
		want   time.Duration
	}{
		{"unlimited", 0, []int{4 * rate}, 0, 0},
		{"within the burst", rate, []int{throttleBurst}, 0, 0},
		{"4N bytes at N B/s in 32 KiB steps", rate, repeat(throttleChunk, 4*rate/throttleChunk), 0, sec(4*rate - throttleBurst)},
		{"4N bytes in one step", rate, []int{4 * rate}, 0, sec(4*rate - throttleBurst)},
		{"idle time does not bank more than the burst", rate, repeat(throttleChunk, 4*rate/throttleChunk), 10 * time.Second, sec(4*rate - throttleBurst)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFakeClock()
			var r atomic.Int64
			r.Store(tt.rate)
			p := newPacer(&r, c.now, c.sleep)
			p.wait(0) // a zero-byte step takes nothing and starts nothing
			for i, n := range tt.chunks {
				if i == 0 {
					c.advance(tt.idle)
				}
				p.wait(n)
			}
			if got := c.total(); !near(got, tt.want) {
				t.Fatalf("slept %v, want %v", got, tt.want)
			}
		})
	}
}

func repeat(n, times int) []int {
	s := make([]int, times)
	for i := range s {
		s[i] = n
	}
	return s
}

// A rate change reaches a pacer already in use, as Throttle promises for
// open connections.
func TestPacerFollowsRateChange(t *testing.T) {
	c := newFakeClock()
	var r atomic.Int64
	r.Store(1 << 20)
	p := newPacer(&r, c.now, c.sleep)
	p.wait(throttleBurst) // uses up the burst
	p.wait(1 << 20)       // 1 s at 1 MiB/s
	r.Store(2 << 20)
	p.wait(1 << 20) // 0.5 s at 2 MiB/s
	if got, want := c.total(), 1500*time.Millisecond; !near(got, want) {
		t.Fatalf("slept %v, want %v", got, want)
	}
	r.Store(0)
	p.wait(100 << 20)
	if got, want := c.total(), 1500*time.Millisecond; !near(got, want) {
		t.Fatalf("unthrottled step slept: total %v, want %v", got, want)
	}
}

// Bytes pass a throttled connection complete and unchanged, in both
// directions, and each direction is paced on its own.
func TestThrottledConnPassesBytesUnchanged(t *testing.T) {
	const rate, size = 1 << 20, 3<<20 + 12345
	f := NewFaults(1)
	f.Throttle(rate)
	c := newFakeClock()
	f.clock = &clock{now: c.now, sleep: c.sleep}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tl := f.Listener(ln)

	data := make([]byte, size)
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}

	// The server side reads everything, then echoes it back.
	errc := make(chan error, 1)
	go func() {
		sc, err := tl.Accept()
		if err != nil {
			errc <- err
			return
		}
		defer sc.Close()
		got := make([]byte, size)
		if _, err := io.ReadFull(sc, got); err != nil {
			errc <- err
			return
		}
		_, err = sc.Write(got)
		errc <- err
	}()
	cc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	go func() { cc.Write(data) }()
	back := make([]byte, size)
	if _, err := io.ReadFull(cc, back); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back, data) {
		t.Fatal("bytes changed on the way through a throttled connection")
	}
	// Reads are paced after they happen, so the last read's debt is paid
	// too; writes before they happen. Each direction gets its own burst.
	perDirection := float64(size-throttleBurst) / rate
	want := 2 * time.Duration(perDirection*float64(time.Second))
	if got := c.total(); !near(got, want) {
		t.Fatalf("slept %v in all, want %v", got, want)
	}
}

func TestThrottleNegativeMeansNone(t *testing.T) {
	f := NewFaults(1)
	f.Throttle(-5)
	if got := f.rate.Load(); got != 0 {
		t.Fatalf("rate %d after Throttle(-5), want 0 (none)", got)
	}
}
