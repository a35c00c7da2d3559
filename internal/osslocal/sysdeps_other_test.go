//go:build !unix

package osslocal_test

import "testing"

// bigTempDir is an ordinary temporary folder where /dev/shm is not known.
func bigTempDir(t testing.TB, need uint64) string { return t.TempDir() }

// cpuSeconds is 0 where getrusage is not known: benchmarks report no CPU.
func cpuSeconds() float64 { return 0 }
