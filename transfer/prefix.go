package transfer

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// ErrUnsafeName: an object's name cannot be saved as a file under the
// destination folder as it stands (it climbs out of the folder, or names
// something the file system treats specially). Match with errors.Is; the
// error itself is an *UnsafeNameError naming the object.
var ErrUnsafeName = errors.New("the object name cannot be saved as a file")

// UnsafeNameError is the refusal of one object name by FolderPath.
type UnsafeNameError struct {
	Key    string
	Reason string
}

func (e *UnsafeNameError) Error() string {
	return fmt.Sprintf("refusing the object name %q: %s", e.Key, e.Reason)
}

func (e *UnsafeNameError) Is(target error) bool { return target == ErrUnsafeName }

// FolderFile is one object of a folder download and the file it becomes.
type FolderFile struct {
	Key  string
	Size int64
	// Local is the file under the destination folder.
	Local string
}

// RecursiveLister lists every object under a prefix; OSS implements it.
type RecursiveLister interface {
	List(ctx context.Context, prefix string, recursive bool, fn func(Entry) error) error
}

// PlanFolder lists every object under prefix and maps each to a file under
// dest with FolderPath, in listing order (by key). Folder placeholders
// ("x/") are skipped: a download brings back files, and their folders with
// them. So are ossvault's own objects (IsInternalKey). It creates nothing on disk, and refuses the whole folder if any
// name is unsafe or two names would land on the same file, so that a
// download either maps every object or starts none. A folder with no
// objects gives an empty plan and no error. Listing errors are returned
// as the lister reports them.
func PlanFolder(ctx context.Context, l RecursiveLister, prefix, dest string) ([]FolderFile, error) {
	var out []FolderFile
	seen := map[string]string{}
	err := l.List(ctx, prefix, true, func(e Entry) error {
		if e.Folder || IsInternalKey(e.Key) {
			return nil
		}
		local, ok, err := FolderPath(dest, prefix, e.Key)
		if err != nil || !ok {
			return err
		}
		// Case is compared as it is: a case-insensitive disk that folds
		// two names together still loses nothing, since a download never
		// overwrites a file.
		if other, dup := seen[local]; dup {
			return &UnsafeNameError{Key: e.Key, Reason: fmt.Sprintf("it would be saved as the same file as %q", other)}
		}
		seen[local] = e.Key
		out = append(out, FolderFile{Key: e.Key, Size: e.Size, Local: local})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FolderPath maps the object key, found under prefix, to the file it
// becomes under dest. ok is false, with no error, for a key that names a
// folder rather than a file: the prefix itself or a placeholder ending in
// "/".
//
// Object names are arbitrary strings, and a folder download must never
// write outside dest, so the part of the key after prefix is read as
// "/"-separated names (and "\"-separated too on Windows, where "\" is a
// separator): empty names and "." are dropped ("a//b" and "/a/b" become
// a/b, inside dest), ".." is refused, as are names a file system would
// read as something else (on Windows: a drive or stream ":", the
// characters <>"|?*, trailing dots or spaces, device names such as CON;
// everywhere: control characters). A name that merely starts with dots,
// such as "..foo", is an ordinary file name.
func FolderPath(dest, prefix, key string) (local string, ok bool, err error) {
	names, err := keyNames(dest, prefix, key, runtime.GOOS == "windows")
	if err != nil || names == nil {
		return "", false, err
	}
	local = filepath.Join(append([]string{dest}, names...)...)
	// A second line of defence against anything the rules above missed.
	if r, err := filepath.Rel(dest, local); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
		return "", false, &UnsafeNameError{Key: key, Reason: "it points outside " + dest}
	}
	return local, true, nil
}

// keyNames splits the part of key after prefix into file names, by the
// rules of FolderPath for Windows or for other systems. It returns nil
// names and no error for a folder.
func keyNames(dest, prefix, key string, windows bool) ([]string, error) {
	rel, found := strings.CutPrefix(key, prefix)
	if !found {
		return nil, &UnsafeNameError{Key: key, Reason: fmt.Sprintf("it is not under %q", prefix)}
	}
	if rel == "" || strings.HasSuffix(rel, "/") {
		return nil, nil
	}
	seps := "/"
	if windows {
		seps = `/\`
	}
	var names []string
	for _, n := range strings.FieldsFunc(rel, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		switch n {
		case ".":
			continue
		case "..":
			// The first ".." ends the walk: at the top it leaves dest.
			if len(names) == 0 {
				return nil, &UnsafeNameError{Key: key, Reason: "it points outside " + dest}
			}
			return nil, &UnsafeNameError{Key: key, Reason: `it has ".." as a folder name`}
		}
		if reason := unsafeName(n, windows); reason != "" {
			return nil, &UnsafeNameError{Key: key, Reason: reason}
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		return nil, nil
	}
	return names, nil
}

// unsafeName says why one file name cannot be used, or "" if it can.
func unsafeName(n string, windows bool) string {
	for _, r := range n {
		if r < 0x20 || r == 0x7f {
			return "it contains a control character"
		}
	}
	if !windows {
		return ""
	}
	if i := strings.IndexAny(n, `<>:"|?*`); i >= 0 {
		return fmt.Sprintf("Windows does not allow %q in a file name", n[i:i+1])
	}
	if strings.HasSuffix(n, ".") || strings.HasSuffix(n, " ") {
		return "Windows does not allow a file name that ends in a dot or a space"
	}
	stem, _, _ := strings.Cut(n, ".")
	switch strings.ToUpper(strings.TrimRight(stem, " ")) {
	case "CON", "PRN", "AUX", "NUL",
		"COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		return fmt.Sprintf("Windows reserves the name %q for a device", stem)
	}
	return ""
}
