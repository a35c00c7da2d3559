//go:build !amd64 || purego

package crc64ecma

const useCLMUL = false

func fold(s uint64, p []byte) (lo, hi uint64) { panic("crc64ecma: no carry-less multiplication") }
