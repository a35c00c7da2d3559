//go:build !windows

package osslocal

import "os"

// openObjectFile opens an object's file for reading. Renaming a new
// version over it or removing it leaves the open file as it was.
func openObjectFile(path string) (*os.File, error) { return os.Open(path) }

// replaceFile renames the finished file from over to, in the same folder.
// Readers that have it open keep reading the version they opened.
func replaceFile(from, to string) error { return os.Rename(from, to) }

// syncDir flushes a folder's entries (a rename or a new file in it) to
// disk, so that what a write made durable stays under its name.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
