package ui

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"fyne.io/fyne/v2"

	"github.com/ossvault/ossvault/internal/atomicfile"
)

// writePrivate writes what write produces to w, the file a save dialog
// opened, so that only the user can read it. Fyne's save dialog has already
// created the file readable by everyone (0644 less the umask), and a reader
// who opens it now keeps reading whatever is written later, whatever its
// mode then becomes: so a file on this computer is not written through w at
// all but replaced by a new one created 0600 from the start. A writer of
// another kind (a cloud folder, a test's buffer) is written as it is.
//
// The content is produced in memory first: it is small (a key backup) and
// a failure then leaves no half-written file. On failure the empty file the
// dialog made is removed, so that no empty "backup" stays behind.
func writePrivate(w io.WriteCloser, write func(io.Writer) error) error {
	path := localPath(w)
	if path == "" {
		err := write(w)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return err
	}
	var buf bytes.Buffer
	err := write(&buf)
	w.Close() // the dialog's file is replaced below or removed
	if err != nil {
		removeIfEmpty(path)
		return err
	}
	if err := atomicfile.WriteFile(path, buf.Bytes()); err != nil {
		removeIfEmpty(path)
		return fmt.Errorf("failed to save %s: %w", path, err)
	}
	return nil
}

// localPath is the path of a save dialog's file on this computer, or "".
func localPath(w io.WriteCloser) string {
	uw, ok := w.(fyne.URIWriteCloser)
	if !ok || uw.URI() == nil || uw.URI().Scheme() != "file" {
		return ""
	}
	return uw.URI().Path()
}

// removeIfEmpty removes the empty file a save dialog created for a write
// that then failed. A file with content is someone else's and stays.
func removeIfEmpty(path string) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		os.Remove(path)
	}
}
