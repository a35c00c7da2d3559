//go:build !linux

package osstest

import "testing"

// SmallDisk mounts a small disk on Linux; elsewhere the test is skipped.
func SmallDisk(t testing.TB, size int64) (dir string, resize func(size int64)) {
	t.Skip("a small disk is mounted only on Linux")
	return "", nil
}
