//go:build unix

package osslocal

import (
	"errors"
	"syscall"
)

// diskFull reports a write that failed because the store's disk (or the
// user's quota on it) is full.
func diskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
