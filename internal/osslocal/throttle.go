package osslocal

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// A throttle makes a loopback connection behave like one over a long path,
// where TCP's window and round trip cap each connection's throughput on its
// own: parallel connections each get the full rate, one connection never
// gets more. Latency per request is a separate rule (Latency).
//
// Throttling works at the connection level, so it needs the server to be
// served through Listener:
//
//	f := osslocal.NewFaults(1)
//	f.Throttle(25e6)
//	f.Add(osslocal.Fault{Action: osslocal.Latency(20 * time.Millisecond)})
//	srv, _ := osslocal.New(osslocal.Options{Store: st, Credentials: creds, Faults: f})
//	ln, _ := net.Listen("tcp", "127.0.0.1:0")
//	endpoint, _ := srv.StartOn(f.Listener(ln))
//
// (in tests, osstest.WithThrottledFaults(f) does the same).

// throttleChunk is the most a throttled connection reads or writes in one
// step, so pacing is smooth rather than one sleep per large buffer.
const throttleChunk = 32 << 10

// throttleBurst is how far a connection may run ahead of its rate after
// being idle, and how much oversleeping it may catch up on.
const throttleBurst = 64 << 10

// Throttle limits every connection accepted through Listener, from now on
// and also those already open, to bytesPerSecond in each direction
// independently (request bodies as the server reads them, responses as it
// writes them, headers included). Zero or less removes the limit.
func (f *Faults) Throttle(bytesPerSecond int64) {
	f.rate.Store(max(bytesPerSecond, 0))
}

// Listener wraps l so that the connections it accepts obey Throttle. A
// connection taken over for a reset (ResetRequestAfter,
// ResetResponseAfter) is closed normally instead of with a TCP RST when it
// came through Listener.
func (f *Faults) Listener(l net.Listener) net.Listener {
	return &throttledListener{Listener: l, f: f}
}

type throttledListener struct {
	net.Listener
	f *Faults
}

func (l *throttledListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	now, sleep := time.Now, time.Sleep
	if l.f.clock != nil {
		now, sleep = l.f.clock.now, l.f.clock.sleep
	}
	return &throttledConn{
		Conn: c,
		in:   newPacer(&l.f.rate, now, sleep),
		out:  newPacer(&l.f.rate, now, sleep),
	}, nil
}

// throttledConn paces reads and writes with a pacer each. It deliberately
// has no ReadFrom, so net/http does not bypass it with sendfile.
type throttledConn struct {
	net.Conn
	in, out *pacer
}

func (c *throttledConn) Read(p []byte) (int, error) {
	if c.in.limited() && len(p) > throttleChunk {
		p = p[:throttleChunk]
	}
	n, err := c.Conn.Read(p)
	c.in.wait(n)
	return n, err
}

func (c *throttledConn) Write(p []byte) (int, error) {
	var done int
	for len(p) > 0 {
		k := len(p)
		if c.out.limited() {
			k = min(k, throttleChunk)
		}
		c.out.wait(k)
		n, err := c.Conn.Write(p[:k])
		done += n
		if err != nil {
			return done, err
		}
		p = p[k:]
	}
	return done, nil
}

// clock lets tests drive pacing without waiting.
type clock struct {
	now   func() time.Time
	sleep func(time.Duration)
}

// pacer is a token bucket: tokens (bytes) accrue at the current rate up to
// throttleBurst; a transfer of n bytes takes n tokens and, when that leaves
// the bucket in debt, sleeps until the debt is paid. Debt rather than
// refusal keeps the long-run rate exact however the sleeps overshoot. One
// pacer serves one direction of one connection, so it needs no lock.
type pacer struct {
	rate   *atomic.Int64 // bytes per second; 0: unlimited
	now    func() time.Time
	sleep  func(time.Duration)
	tokens float64
	last   time.Time
	// prev is the rate at the last step: time since then, the sleep that
	// step took included, earns tokens at that rate, not a newer one.
	prev float64
	once sync.Once
}

func newPacer(rate *atomic.Int64, now func() time.Time, sleep func(time.Duration)) *pacer {
	return &pacer{rate: rate, now: now, sleep: sleep}
}

func (p *pacer) limited() bool { return p.rate.Load() > 0 }

// wait accounts for n bytes and sleeps as long as the rate requires.
func (p *pacer) wait(n int) {
	rate := float64(p.rate.Load())
	if rate <= 0 || n <= 0 {
		return
	}
	p.once.Do(func() { p.last, p.tokens, p.prev = p.now(), throttleBurst, rate })
	now := p.now()
	p.tokens = min(p.tokens+now.Sub(p.last).Seconds()*p.prev, throttleBurst)
	p.last, p.prev = now, rate
	p.tokens -= float64(n)
	if p.tokens < 0 {
		p.sleep(time.Duration(-p.tokens / rate * float64(time.Second)))
	}
}
