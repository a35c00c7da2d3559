package app

import "sync"

// Subscribers holds the callbacks given to a Transfers' Subscribe. Its
// own lock is held only to change or copy the set, never while a callback
// runs, so a callback may subscribe, unsubscribe or call back into the
// Transfers that publishes.
type Subscribers struct {
	mu   sync.Mutex
	next int
	fns  map[int]func(Job)
}

// Add subscribes fn and returns how to unsubscribe it.
func (s *Subscribers) Add(fn func(Job)) (stop func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fns == nil {
		s.fns = map[int]func(Job){}
	}
	id := s.next
	s.next++
	s.fns[id] = fn
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.fns, id)
	}
}

// Publish calls every subscriber with j, on the caller's goroutine.
func (s *Subscribers) Publish(j Job) {
	s.mu.Lock()
	fns := make([]func(Job), 0, len(s.fns))
	for _, fn := range s.fns {
		fns = append(fns, fn)
	}
	s.mu.Unlock()
	for _, fn := range fns {
		fn(j)
	}
}
