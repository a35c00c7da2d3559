//go:build unix

package transfer

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// checkSpace fails with ErrDiskFull when dir's file system has fewer than
// need bytes free for this user.
func checkSpace(dir string, need int64) error {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return nil // unknown: the write will tell
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	if free >= 0 && free < need {
		return fmt.Errorf("%w: %d bytes needed, %d free", ErrDiskFull, need, free)
	}
	return nil
}
