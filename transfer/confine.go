package transfer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrOutsideFolder: a folder download would have written outside its
// folder, through a symbolic link (or a name) leading out of it; nothing
// was written there. Match with errors.Is.
var ErrOutsideFolder = errors.New("the file would be written outside the download folder")

// destDir is the folder a download writes in: the destination's own
// folder, reached by plain paths, or, for a job with a Root, the same
// folder reached through an os.Root, so that no symbolic link (one there
// before the download, or one put in place while it runs) leads a write
// outside the root.
type destDir struct {
	root *os.Root // nil: plain paths
	dir  string   // the folder: a plain path, or relative to root
}

// openDestDir returns where job writes. It creates nothing.
func openDestDir(job DownloadJob) (*destDir, error) {
	if job.Root == "" {
		return &destDir{dir: filepath.Dir(job.Dest)}, nil
	}
	rel, err := filepath.Rel(job.Root, job.Dest)
	if err != nil || !filepath.IsLocal(rel) {
		return nil, fmt.Errorf("%s is not inside %s: %w", job.Dest, job.Root, ErrOutsideFolder)
	}
	r, err := os.OpenRoot(job.Root)
	if err != nil {
		return nil, fmt.Errorf("failed to open the download folder: %w", err)
	}
	return &destDir{root: r, dir: filepath.Dir(rel)}, nil
}

func (d *destDir) close() {
	if d.root != nil {
		d.root.Close()
	}
}

// path is name in the folder, as the calls below take it.
func (d *destDir) path(name string) string { return filepath.Join(d.dir, name) }

// confined marks os.Root's refusal of a path that leads out of it (its
// error "path escapes from parent", which the os package does not export)
// with ErrOutsideFolder.
func (d *destDir) confined(err error) error {
	if d.root == nil || err == nil {
		return err
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == "path escapes from parent" {
			return fmt.Errorf("%w: %w", ErrOutsideFolder, err)
		}
	}
	return err
}

// mkdirAll creates the folder and those above it, inside the root.
func (d *destDir) mkdirAll() error {
	if d.root == nil || d.dir == "." {
		return nil
	}
	return d.confined(d.root.MkdirAll(d.dir, 0o700))
}

func (d *destDir) openFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	if d.root == nil {
		return os.OpenFile(d.path(name), flag, perm)
	}
	f, err := d.root.OpenFile(d.path(name), flag, perm)
	return f, d.confined(err)
}

func (d *destDir) lstat(name string) (os.FileInfo, error) {
	if d.root == nil {
		return os.Lstat(d.path(name))
	}
	fi, err := d.root.Lstat(d.path(name))
	return fi, d.confined(err)
}

func (d *destDir) remove(name string) error {
	if d.root == nil {
		return os.Remove(d.path(name))
	}
	return d.confined(d.root.Remove(d.path(name)))
}

func (d *destDir) rename(from, to string) error {
	if d.root == nil {
		return os.Rename(d.path(from), d.path(to))
	}
	return d.confined(d.root.Rename(d.path(from), d.path(to)))
}
