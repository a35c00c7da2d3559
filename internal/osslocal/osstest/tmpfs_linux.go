package osstest

import (
	"fmt"
	"syscall"
	"testing"
)

// SmallDisk mounts a tmpfs of size bytes on a temporary folder, a disk
// that really fills up (ENOSPC), for the folder of a store (WithDir). The
// test is skipped where mounting is not allowed (not root, no mount
// namespace). Resize changes its size, e.g. to free space; the mount is
// removed when the test ends.
func SmallDisk(t testing.TB, size int64) (dir string, resize func(size int64)) {
	t.Helper()
	dir = t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0700", size)); err != nil {
		t.Skipf("cannot mount a small disk here: %v", err)
	}
	// Registered after TempDir's own cleanup, so it runs first.
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir, func(size int64) {
		t.Helper()
		if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT, fmt.Sprintf("size=%d", size)); err != nil {
			t.Fatalf("failed to resize the small disk: %v", err)
		}
	}
}
