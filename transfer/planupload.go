package transfer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/ossvault/ossvault/internal/safetext"
)

// PlannedUpload is one file of an upload plan and the object key it gets.
type PlannedUpload struct {
	Source string // the file's path, absolute
	Key    string
	Size   int64
}

// Sentinel errors of PlanUpload.
var (
	// ErrNotRegular: a source given by name is a device, a socket or a
	// pipe, whose content is not a file's.
	ErrNotRegular = errors.New("not a regular file")
	// ErrNoObjectName: a source would get an empty object name, or one
	// ending in "/" (a folder's), e.g. the root folder itself.
	ErrNoObjectName = errors.New("no object name")
)

// PlanUpload maps files and folders to object keys under prefix ("" or
// ending in "/"). It is the one rule the app's drop and "put -r" share:
//
//   - a file lands under its own name: prefix + name;
//   - a folder keeps its own name and the paths below it:
//     prefix + folder/sub/file, in the order filepath.WalkDir visits them;
//   - only regular files are uploaded. Inside a folder, links, devices
//     and sockets are skipped (a link could lead outside the folder, or
//     upload one file twice); given by name, a link is followed, and
//     anything else that is not a regular file is refused (ErrNotRegular).
//
// It reads only file metadata, and refuses the whole plan on the first
// error, so that an upload either has every file or starts none. Errors
// name the path with safetext.Path.
func PlanUpload(sources []string, prefix string) ([]PlannedUpload, error) {
	var out []PlannedUpload
	for _, src := range sources {
		abs, err := filepath.Abs(src)
		if err != nil {
			return nil, err
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return nil, readError(src, err)
		}
		switch {
		case fi.IsDir():
			if out, err = planFolderUpload(out, abs, prefix); err != nil {
				return nil, err
			}
		case fi.Mode().IsRegular():
			out = append(out, PlannedUpload{abs, prefix + filepath.Base(abs), fi.Size()})
		default:
			return nil, fmt.Errorf("%s is %w", safetext.Path(src), ErrNotRegular)
		}
	}
	for _, p := range out {
		if p.Key == "" || strings.HasSuffix(p.Key, "/") {
			return nil, fmt.Errorf("%w for %s", ErrNoObjectName, safetext.Path(p.Source))
		}
	}
	return out, nil
}

// planFolderUpload adds the regular files below the folder abs to out.
func planFolderUpload(out []PlannedUpload, abs, prefix string) ([]PlannedUpload, error) {
	name := filepath.Base(abs)
	if name == string(filepath.Separator) || filepath.VolumeName(abs) == abs[:len(abs)-1] {
		// A drive or the root folder has no name to put its files under.
		return nil, fmt.Errorf("%w for %s", ErrNoObjectName, safetext.Path(abs))
	}
	err := filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return readError(p, err)
		}
		if !d.Type().IsRegular() {
			return nil // folders are walked; links and devices are not uploaded
		}
		rel, err := filepath.Rel(abs, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return readError(p, err)
		}
		out = append(out, PlannedUpload{p, prefix + path.Join(name, filepath.ToSlash(rel)), info.Size()})
		return nil
	})
	return out, err
}

// readError says which file could not be read, once: a *fs.PathError
// names it too, unescaped.
func readError(p string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("cannot read %s: %w", safetext.Path(p), err)
}
