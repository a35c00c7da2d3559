//go:build !purego

package crc64ecma

import "golang.org/x/sys/cpu"

var useCLMUL = cpu.X86.HasPCLMULQDQ

// fold folds p (a multiple of 16 bytes, at least 64) into 128 bits, with
// the CRC state s (not inverted) added to its first 8 bytes.
//
//go:noescape
func fold(s uint64, p []byte) (lo, hi uint64)
