package ui

import "sync"

// taskCount counts background work under way, like a sync.WaitGroup that
// may gain work while someone waits. Work in this app also starts from
// events nobody waits for (a transfer finishing schedules a folder refresh,
// a row drawn starts a "locked with" look-up), so a count may go up from
// zero at any time, which a WaitGroup forbids during a Wait. Wait returns
// once nothing is under way.
type taskCount struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops back to zero
}

func (c *taskCount) Add(delta int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == 0 {
		c.idle = make(chan struct{})
	}
	c.n += delta
	if c.n < 0 {
		panic("ui: negative task count")
	}
	if c.n == 0 {
		close(c.idle)
	}
}

func (c *taskCount) Done() { c.Add(-1) }

// Wait blocks until no work is under way.
func (c *taskCount) Wait() {
	c.mu.Lock()
	n, idle := c.n, c.idle
	c.mu.Unlock()
	if n > 0 {
		<-idle
	}
}
