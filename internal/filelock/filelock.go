// Package filelock takes and releases an exclusive, advisory lock on an
// open file, without waiting, the same way on every system: flock on unix,
// LockFileEx on the first byte on Windows. The system drops the lock when
// the process ends, so a killed process never leaves a file locked. The
// app's single-instance lock and the transfer journal's per-record locks
// use it.
package filelock
