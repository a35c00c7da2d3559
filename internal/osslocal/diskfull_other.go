//go:build !unix

package osslocal

import (
	"errors"
	"syscall"
)

// diskFull reports a write that failed because the store's disk is full.
func diskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC)
}
