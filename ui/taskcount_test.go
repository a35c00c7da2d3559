package ui

import (
	"testing"
	"time"
)

// stillWaiting reports whether a Wait begun earlier, which closes returned
// when it returns, is still blocked a moment later. A slow machine can only
// make it say true wrongly, never false.
func stillWaiting(returned <-chan struct{}) bool {
	select {
	case <-returned:
		return false
	case <-time.After(50 * time.Millisecond):
		return true
	}
}

func startWait(c *taskCount) <-chan struct{} {
	returned := make(chan struct{})
	go func() {
		c.Wait()
		close(returned)
	}()
	return returned
}

// Wait returns with nothing under way, blocks while work is under way, and
// counts work started while it waits, as a transfer event's refresh is.
// A Wait that never returns fails the test by its timeout.
func TestTaskCount(t *testing.T) {
	var c taskCount
	c.Wait()

	c.Add(1)
	returned := startWait(&c)
	c.Add(1)
	c.Done()
	if !stillWaiting(returned) {
		t.Fatal("Wait returned with one task still under way")
	}
	c.Done()
	<-returned
	c.Wait()

	// Again from zero, with a Wait already over.
	c.Add(2)
	returned = startWait(&c)
	c.Done()
	if !stillWaiting(returned) {
		t.Fatal("Wait returned with a task of the second round under way")
	}
	c.Done()
	<-returned
}
