package app

import (
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
	"syscall"

	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

// Outcomes the service reports in its own terms. Each has its Cause.
var (
	// ErrNoKeyChosen: an upload names no key to lock it with.
	ErrNoKeyChosen = errors.New("no key chosen")
	// ErrEmptyFolder: a folder download found no file to save.
	ErrEmptyFolder = errors.New("no files in the folder")
	// ErrNotAKey: a key file that is no key the vault can read.
	ErrNotAKey = errors.New("not a readable key")
	// ErrLinkDamaged: text that starts like a link but cannot be one.
	ErrLinkDamaged = errors.New("the link is damaged or was changed")
	// ErrNotOSS: an endpoint that answers HTTP but not as OSS does.
	ErrNotOSS = errors.New("the server is not an OSS storage service")
	// ErrWeakPassphrase is the vault's rule for a backup's passphrase.
	ErrWeakPassphrase = vault.ErrWeakPassphrase
)

// MinPassphrase is the fewest characters a backup's passphrase may have.
const MinPassphrase = vault.MinPassphrase

// CheckPassphrase applies the rule Backup enforces (ErrWeakPassphrase), so
// that a form can say so before the work starts.
func CheckPassphrase(p string) error { return vault.CheckPassphrase(p) }

// LinkError is the failure of a shared link's download. A link's
// recipient has no account, so the storage's refusals mean something else
// for a link than for an account (see CauseOf).
type LinkError struct{ Err error }

func (e *LinkError) Error() string { return "shared link: " + e.Err.Error() }
func (e *LinkError) Unwrap() error { return e.Err }

// FolderError is a failure to write into a folder on this computer, where
// downloads go: it names the folder so that the user knows which one to
// change.
type FolderError struct {
	Dir string
	Err error
}

func (e *FolderError) Error() string { return "folder " + e.Dir + ": " + e.Err.Error() }
func (e *FolderError) Unwrap() error { return e.Err }

// unwritable reports a file system refusing to write: a read-only disk,
// permissions, or a "folder" that is inside a file.
func unwritable(err error) bool {
	return errors.Is(err, syscall.EROFS) || errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.ENOTDIR)
}

// InFolder marks err, met while writing into dir, as a *FolderError when
// the folder cannot be written.
func InFolder(dir string, err error) error {
	var fe *FolderError
	if err == nil || !unwritable(err) || errors.As(err, &fe) {
		return err
	}
	return &FolderError{Dir: dir, Err: err}
}

// retryHelps reports whether trying a failed job again may work. It may
// not where the transfer engine says so, nor for a link the storage
// refused for its signature: the same link is refused the same way every
// time, and only a new one from the sender helps.
func retryHelps(err error) bool {
	return transfer.Retryable(err) && CauseOf(err) != LinkDamaged
}

// OssutilMissingError is an import from ossutil with no ossutil settings
// file to read.
type OssutilMissingError struct {
	Path string
	Err  error
}

func (e *OssutilMissingError) Error() string {
	return "no ossutil config at " + e.Path + ": " + e.Err.Error()
}
func (e *OssutilMissingError) Unwrap() error { return e.Err }

// isNetwork reports a failure to talk over the network. A bare
// syscall.Errno has the methods of a net.Error too: one met on a file on
// this computer (a folder inside a file, say) is not the network's.
func isNetwork(err error) bool {
	var ue *url.Error
	var oe *net.OpError
	var de *net.DNSError
	if errors.As(err, &de) || errors.As(err, &oe) || errors.As(err, &ue) {
		return true
	}
	var ne net.Error
	if !errors.As(err, &ne) {
		return false
	}
	_, errno := ne.(syscall.Errno)
	return !errno
}

// OwnerFromMatDesc picks a person-readable name out of a key description
// written by this app or another client, e.g. {"owner":"Alice"} or
// {"desc":"finance"}.
func OwnerFromMatDesc(md string) string {
	if md == "" {
		return ""
	}
	var m map[string]string
	if json.Unmarshal([]byte(md), &m) != nil || len(m) == 0 {
		return ""
	}
	for _, k := range []string{"owner", "name", "user", "desc", "key"} {
		if v := strings.TrimSpace(m[k]); v != "" {
			return v
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.TrimSpace(m[keys[0]])
}
