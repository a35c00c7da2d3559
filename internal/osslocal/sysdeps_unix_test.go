//go:build unix

package osslocal_test

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// bigTempDir returns a temporary folder in memory (/dev/shm) when it has
// room, so that tests moving gigabytes measure the server rather than the
// disk's fsync speed; else an ordinary temporary folder.
func bigTempDir(t testing.TB, need uint64) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err == nil && st.Bavail*uint64(st.Bsize) > need {
		dir, err := os.MkdirTemp("/dev/shm", "osslocal-test-")
		if err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

// cpuSeconds is the CPU time (user and system) the process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
