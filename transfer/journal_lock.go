package transfer

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ossvault/ossvault/internal/filelock"
)

// ErrRunningElsewhere: another process holds the lock of the journal record
// a transfer would resume (the same `put` run twice at once). Without the
// lock both would send the same parts, and whichever completed first would
// leave the other with an upload that no longer exists.
var ErrRunningElsewhere = errors.New("this transfer is already running in another ossvault process")

// Lock takes the OS file lock (flock, LockFileEx) of record id, in
// id.lock beside the record, without waiting: when another process holds
// it, Lock fails at once with ErrRunningElsewhere. The lock is the
// process's until unlock is called or the process ends, however it ends:
// the OS drops it with the process, so a killed transfer never leaves a
// record locked.
//
// Two Locks of one id in the same process exclude each other too, since
// each opens the file anew.
func (j *Journal) Lock(id string) (unlock func(), err error) {
	p, err := j.path(id)
	if err != nil {
		return nil, err
	}
	lp := strings.TrimSuffix(p, ".json") + ".lock"
	for range 8 {
		f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("failed to open the transfer journal's lock: %w", err)
		}
		held, err := filelock.TryLock(f)
		if err != nil || !held {
			f.Close()
			if err != nil {
				return nil, fmt.Errorf("failed to lock the transfer journal record: %w", err)
			}
			return nil, ErrRunningElsewhere
		}
		// The process that held the lock before may have removed the
		// file after this one opened it: a lock on a removed file
		// excludes no one, so take the lock of the file now there.
		fi, ferr := f.Stat()
		pi, perr := os.Stat(lp)
		if ferr == nil && perr == nil && os.SameFile(fi, pi) {
			return func() {
				// Removed while still held, so that no one locks
				// the file that is going away (see above).
				os.Remove(lp)
				_ = filelock.Unlock(f)
				f.Close()
			}, nil
		}
		_ = filelock.Unlock(f)
		f.Close()
	}
	return nil, ErrRunningElsewhere
}
