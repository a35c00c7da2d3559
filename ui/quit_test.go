//go:build !windows

package ui

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// TestQuitterBeforeApp: a signal that comes before the app exists is kept,
// and keeps Fyne's loop from starting.
func TestQuitterBeforeApp(t *testing.T) {
	q := listenQuit(context.Background())
	defer q.stop()
	if q.asked() {
		t.Fatal("asked before any signal")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitTrue(t, q.asked)
	called := false
	if q.setApp(func() { called = true }) {
		t.Error("setApp after a signal says the loop may start")
	}
	if called {
		t.Error("quit ran on the caller's goroutine, before any loop")
	}
}

// TestQuitterWithApp: once the app is handed over, a signal quits it
// through Fyne's queue.
func TestQuitterWithApp(t *testing.T) {
	test.NewTempApp(t)
	q := listenQuit(context.Background())
	defer q.stop()
	quit := make(chan struct{})
	if !q.setApp(func() { close(quit) }) {
		t.Fatal("setApp with no signal yet says the loop must not start")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-quit:
	case <-time.After(30 * time.Second):
		t.Fatal("SIGINT did not quit the app")
	}
}

func waitTrue(t *testing.T, f func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if f() {
			return
		}
	}
	t.Fatal("still false after 30s")
}

// TestQuitterContext: a signal the command line caught before the app began
// listening (its context ended) counts, whether it came before or after.
func TestQuitterContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	q := listenQuit(ctx)
	if !q.asked() {
		t.Error("a context ended before listening is not taken as a signal")
	}
	q.stop()

	ctx, cancel = context.WithCancel(context.Background())
	q = listenQuit(ctx)
	defer q.stop()
	if q.asked() {
		t.Fatal("asked before the context ended")
	}
	cancel()
	waitTrue(t, q.asked)
}
