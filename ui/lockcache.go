package ui

import (
	"container/list"
	"context"
	"strings"
	"sync"
)

// lockCache looks up "locked with" for the rows on screen only: requests go
// on a stack (the newest, most likely still visible row first), a few
// workers read object metadata, and results stay in a bounded LRU. A folder
// of 100,000 objects never costs more than the rows someone scrolls past.
type lockCache struct {
	fetch   func(ctx context.Context, loc Location, key string) (Lock, error)
	deliver func(loc Location, key string, l Lock) // called on a worker goroutine

	mu      sync.Mutex
	cap     int
	items   map[string]*list.Element
	order   *list.List // front is most recently used
	pending map[string]bool
	stack   []lockReq
	running int
	workers int
	maxWait int
	wg      taskCount // look-ups start as rows are drawn, whoever waits
}

// maxLockWait bounds the look-ups waiting for a worker: about a few screens
// of rows.
const maxLockWait = 128

type lockReq struct {
	loc Location
	key string
}

type lockItem struct {
	id   string
	lock Lock
}

func newLockCache(capacity, workers int, fetch func(context.Context, Location, string) (Lock, error), deliver func(Location, string, Lock)) *lockCache {
	return &lockCache{
		fetch: fetch, deliver: deliver,
		cap: capacity, workers: workers, maxWait: maxLockWait,
		items: map[string]*list.Element{}, order: list.New(), pending: map[string]bool{},
	}
}

func lockID(loc Location, key string) string { return loc.Account + "\x00" + loc.Bucket + "\x00" + key }

// get returns the cached lock, or LockUnknown after queueing a look-up.
func (c *lockCache) get(ctx context.Context, loc Location, key string) Lock {
	id := lockID(loc, key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[id]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*lockItem).lock
	}
	if c.pending[id] {
		return Lock{}
	}
	c.pending[id] = true
	c.stack = append(c.stack, lockReq{loc, key})
	if len(c.stack) > c.maxWait {
		// The oldest requests are rows long scrolled away: forget them, and
		// they are asked for again if they come back into view.
		drop := c.stack[0]
		delete(c.pending, lockID(drop.loc, drop.key))
		c.stack = c.stack[1:]
	}
	if c.running < c.workers {
		c.running++
		c.wg.Add(1)
		go c.work(ctx)
	}
	return Lock{}
}

// peek returns the cached lock without queueing a look-up.
func (c *lockCache) peek(loc Location, key string) Lock {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[lockID(loc, key)]; ok {
		return e.Value.(*lockItem).lock
	}
	return Lock{}
}

// put records a lock learned some other way (a download that checked it).
func (c *lockCache) put(loc Location, key string, l Lock) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.store(lockID(loc, key), l)
}

func (c *lockCache) store(id string, l Lock) {
	if e, ok := c.items[id]; ok {
		e.Value.(*lockItem).lock = l
		c.order.MoveToFront(e)
		return
	}
	c.items[id] = c.order.PushFront(&lockItem{id, l})
	for c.order.Len() > c.cap {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*lockItem).id)
	}
}

// forget drops one object's entry, e.g. after it was replaced or deleted.
func (c *lockCache) forget(loc Location, key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := lockID(loc, key)
	if e, ok := c.items[id]; ok {
		c.order.Remove(e)
		delete(c.items, id)
	}
}

// forgetFolder drops what the cache holds of every key under prefix in
// loc: a renamed folder's old names may hold other files later.
func (c *lockCache) forgetFolder(loc Location, prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	under := lockID(loc, prefix)
	for id, e := range c.items {
		if strings.HasPrefix(id, under) {
			c.order.Remove(e)
			delete(c.items, id)
		}
	}
}

func (c *lockCache) work(ctx context.Context) {
	defer c.wg.Done()
	for {
		c.mu.Lock()
		if len(c.stack) == 0 || ctx.Err() != nil {
			c.running--
			c.mu.Unlock()
			return
		}
		r := c.stack[len(c.stack)-1]
		c.stack = c.stack[:len(c.stack)-1]
		c.mu.Unlock()

		l, err := c.fetch(ctx, r.loc, r.key)
		id := lockID(r.loc, r.key)
		c.mu.Lock()
		delete(c.pending, id)
		if err == nil {
			c.store(id, l)
		}
		c.mu.Unlock()
		if err == nil {
			c.deliver(r.loc, r.key, l)
		}
	}
}

// wait blocks until no look-up is running (for tests).
func (c *lockCache) wait() { c.wg.Wait() }
