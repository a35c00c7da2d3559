//go:build !unix

package transfer

import "testing"

func cpuSeconds() float64 { return 0 }

func benchDir(b *testing.B, _ uint64) string { return b.TempDir() }
