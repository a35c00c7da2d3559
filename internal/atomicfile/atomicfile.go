// Package atomicfile writes small files (registries, journals, settings) so
// that a crash, a kill or a full disk never leaves half a file under the
// final name, and nobody but the owner can read them.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile replaces path with data: a temporary file in the same folder
// (so the rename cannot cross file systems) created 0600, written, synced,
// closed and renamed over path, then the folder synced so the rename itself
// survives a crash. On any error path is left as it was and the temporary
// file is removed.
func WriteFile(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	// A leading dot keeps the temporary file out of listings that skip
	// hidden files.
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("failed to write %s: %w", path, err)
		}
	}()
	// CreateTemp already uses 0600; Chmod makes it independent of that.
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	SyncDir(dir)
	return nil
}

// SyncDir flushes a folder's entries (a rename or a new file in it) to disk.
// Errors are ignored: some systems cannot sync a folder, and the data itself
// is already safe.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
