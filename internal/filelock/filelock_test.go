package filelock

import (
	"os"
	"path/filepath"
	"testing"
)

// A lock held through one open file refuses another, without waiting,
// until it is released or its file closed.
func TestTryLockExcludes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	open := func() *os.File {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	a, b := open(), open()
	if held, err := TryLock(a); !held || err != nil {
		t.Fatalf("first lock: %v %v", held, err)
	}
	if held, err := TryLock(b); held || err != nil {
		t.Fatalf("second lock while the first is held: %v %v", held, err)
	}
	if err := Unlock(a); err != nil {
		t.Fatal(err)
	}
	if held, err := TryLock(b); !held || err != nil {
		t.Fatalf("after the unlock: %v %v", held, err)
	}
	b.Close()
	if held, err := TryLock(open()); !held || err != nil {
		t.Fatalf("after the holder's file closed: %v %v", held, err)
	}
}
