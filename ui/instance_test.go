package ui

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/filelock"
)

func TestInstanceSecondClaimIsRefused(t *testing.T) {
	home := filepath.Join(t.TempDir(), "not yet created")
	first, err := claimInstance(home)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := claimInstance(home); !errors.Is(err, errInstanceHeld) {
		t.Fatalf("second claim: %v, want errInstanceHeld", err)
	}
	fi, err := os.Stat(filepath.Join(home, instanceFileName))
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		t.Errorf("%s has mode %v: others could read the token", instanceFileName, m)
	}
	first.close()
	if _, err := os.Stat(filepath.Join(home, instanceFileName)); !os.IsNotExist(err) {
		t.Errorf("after close %s is still there: %v", instanceFileName, err)
	}
	again, err := claimInstance(home)
	if err != nil {
		t.Fatalf("claim after close: %v", err)
	}
	again.close()
}

func TestInstanceShowsFirstWindow(t *testing.T) {
	home := t.TempDir()
	first, err := claimInstance(home)
	if err != nil {
		t.Fatal(err)
	}
	defer first.close()
	var shown atomic.Int32
	first.setOnShow(func() { shown.Add(1) })

	in, err := claimOrShow(home, 5*time.Second, nil)
	if err != nil || in != nil {
		t.Fatalf("claimOrShow = %v, %v; want nil, nil (the first app shows)", in, err)
	}
	if n := shown.Load(); n != 1 {
		t.Errorf("the first app was asked to show %d times, want 1", n)
	}
	// Before the window exists a request is answered and does nothing.
	first.setOnShow(nil)
	if err := askToShow(home); err != nil {
		t.Errorf("askToShow with no window yet: %v", err)
	}
	if n := shown.Load(); n != 1 {
		t.Errorf("shown %d times, want still 1", n)
	}
}

func TestInstanceIgnoresWrongToken(t *testing.T) {
	home := t.TempDir()
	first, err := claimInstance(home)
	if err != nil {
		t.Fatal(err)
	}
	defer first.close()
	var shown atomic.Int32
	first.setOnShow(func() { shown.Add(1) })
	var info instanceInfo
	data, err := os.ReadFile(filepath.Join(home, instanceFileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &info); err != nil {
		t.Fatal(err)
	}
	for _, req := range []string{
		strings.Repeat("0", len(info.Token)) + " show\n",
		info.Token + " quit\n",
		"show\n",
		info.Token + "show\n",
		strings.Repeat("x", 1000) + "\n",
	} {
		c, err := net.Dial("tcp", info.Addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, req)
		line, err := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if err == nil || line != "" {
			t.Errorf("request %.40q got answer %q (%v), want the connection closed unanswered", req, line, err)
		}
	}
	if n := shown.Load(); n != 0 {
		t.Errorf("bad requests showed the window %d times", n)
	}
}

// TestInstanceStaleFile: an app that crashed leaves its address file; the
// OS freed its lock, so the next start owns the home and writes its own.
func TestInstanceStaleFile(t *testing.T) {
	home := t.TempDir()
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.Addr().String()
	dead.Close()
	stale, _ := json.Marshal(instanceInfo{Addr: deadAddr, Token: "deadbeef"})
	if err := os.WriteFile(filepath.Join(home, instanceFileName), stale, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, instanceLockName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := claimOrShow(home, 5*time.Second, nil)
	if err != nil || in == nil {
		t.Fatalf("claimOrShow over a stale file = %v, %v; want this process to be the app", in, err)
	}
	defer in.close()
	data, err := os.ReadFile(filepath.Join(home, instanceFileName))
	if err != nil {
		t.Fatal(err)
	}
	if string(data) == string(stale) {
		t.Error("the stale address file was kept")
	}
}

// TestInstanceSilentHolder: a lock held by something that never answers
// ends in a sentence, not a hang.
func TestInstanceSilentHolder(t *testing.T) {
	home := t.TempDir()
	f, err := os.OpenFile(filepath.Join(home, instanceLockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if held, err := filelock.TryLock(f); err != nil || !held {
		t.Fatalf("tryLockFile = %v, %v", held, err)
	}
	in, err := claimOrShow(home, 300*time.Millisecond, nil)
	if !errors.Is(err, errOtherInstanceSilent) || in != nil {
		t.Fatalf("claimOrShow = %v, %v; want errOtherInstanceSilent", in, err)
	}
}

// TestInstanceSilentHolderStop: a signal while waiting for a silent holder
// ends the wait at once, quietly.
func TestInstanceSilentHolderStop(t *testing.T) {
	home := t.TempDir()
	f, err := os.OpenFile(filepath.Join(home, instanceLockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if held, err := filelock.TryLock(f); err != nil || !held {
		t.Fatalf("tryLockFile = %v, %v", held, err)
	}
	var asked atomic.Int32
	in, err := claimOrShow(home, time.Hour, func() bool { return asked.Add(1) >= 3 })
	if err != nil || in != nil {
		t.Fatalf("claimOrShow = %v, %v; want nil, nil once stopped", in, err)
	}
	if n := asked.Load(); n != 3 {
		t.Errorf("stop was asked %d times, want 3", n)
	}
}

// TestInstanceTakesOverAfterClose: a start that comes while the first is
// closing waits for its lock instead of giving up.
func TestInstanceTakesOverAfterClose(t *testing.T) {
	home := t.TempDir()
	f, err := os.OpenFile(filepath.Join(home, instanceLockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if held, err := filelock.TryLock(f); err != nil || !held {
		t.Fatalf("tryLockFile = %v, %v", held, err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		filelock.Unlock(f)
		f.Close()
	}()
	in, err := claimOrShow(home, 30*time.Second, nil)
	if err != nil || in == nil {
		t.Fatalf("claimOrShow = %v, %v; want this process to be the app once the lock frees", in, err)
	}
	in.close()
}
