//go:build windows

package osslocal

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// openObjectFile opens an object's file for reading, letting others
// rename over it and remove it (FILE_SHARE_DELETE) as they can on unix.
// os.Open does not share deletion, so while a download read an object
// Windows refused to store a new version under its key ("Access is
// denied") or to delete it ("sharing violation").
func openObjectFile(path string) (*os.File, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}

// replaceFile renames the finished file from over to, in the same folder,
// even while a reader has it open (which openObjectFile allows): readers
// keep reading the version they opened. os.Rename's MoveFileEx refuses to
// replace a file that is open ("Access is denied"); os.Root's Rename asks
// for POSIX semantics (NTFS on current Windows 10 and 11), which replace
// it, and falls back to a plain rename where the file system has none.
func replaceFile(from, to string) error {
	dir := filepath.Dir(to)
	r, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer r.Close()
	return r.Rename(filepath.Base(from), filepath.Base(to))
}

// syncDir flushes a folder's entries to disk where Windows can, and
// otherwise does nothing. os.Open gives a folder a read-only handle, whose
// Sync (FlushFileBuffers) Windows refuses with "Access is denied", which
// would fail every write to the store; a handle with write access, which a
// folder gets only with FILE_FLAG_BACKUP_SEMANTICS, can be flushed on a
// local NTFS disk. Network shares and other file systems refuse even that,
// so a refusal is not an error: the content was synced before it was
// renamed into place, and what a crash can cost is the last renames, never
// half an object.
func syncDir(dir string) error {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return err
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
	if err != nil {
		return nil
	}
	_ = windows.FlushFileBuffers(h)
	return windows.CloseHandle(h)
}
