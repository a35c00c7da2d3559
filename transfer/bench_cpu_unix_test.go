//go:build unix

package transfer

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// cpuSeconds is the CPU time (user and system) the process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// benchDir returns a folder in memory (/dev/shm) when it has room for need
// bytes, so that the benchmarks measure the clients and the endpoint rather
// than the disk; else an ordinary temporary folder.
func benchDir(b *testing.B, need uint64) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err == nil && st.Bavail*uint64(st.Bsize) > need {
		dir, err := os.MkdirTemp("/dev/shm", "transfer-bench-")
		if err == nil {
			b.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return b.TempDir()
}
